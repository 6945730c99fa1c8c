package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code ste}: the straight-through estimator, dQ/dx = 1 (Bengio et al. 2013, arXiv:1308.3432). It
 * registers {@link GradientEstimator#STE} under its id, so {@code ternary~ste} is named like every other
 * estimator and still reports {@link #isIdentity()}: lowbit then skips the multiplication.
 */
public final class SteEstimator implements GradientEstimator {

    @Override
    public String id() {
        return STE.id();
    }

    @Override
    public String description() {
        return STE.description();
    }

    @Override
    public NDArray derivative(NDArray normalized) {
        return STE.derivative(normalized);
    }

    @Override
    public boolean isIdentity() {
        return STE.isIdentity();
    }

    @Override
    public String toString() {
        return id();
    }
}
