package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code dorefa-tanh}: DoReFa-Net's weight gradient (Zhou et al. 2016, arXiv:1606.06160), the straight-through
 * estimator through the rounding and the derivative of the tanh map before it, the maximum held constant:
 * <pre>    dQ/du = (1 - tanh(u)^2) / max |tanh(u)|       (the maximum over the whole tensor)</pre>
 * For {@code dorefa:K}, whose scale is 1 and whose levels span [-1, 1], u is the weights themselves.
 * Registered so that a run's recorded estimator id always resolves; with other quantizers it is a soft
 * window of width about 1 in their units.
 */
public final class DorefaTanhEstimator implements GradientEstimator {

    private static final double MIN_MAGNITUDE = 1e-8;

    @Override
    public String id() {
        return "dorefa-tanh";
    }

    @Override
    public String description() {
        return "DoReFa-Net's weight gradient: (1 - tanh(u)^2) / max|tanh(u)| (Zhou et al. 2016, arXiv:1606.06160)";
    }

    @Override
    public NDArray derivative(NDArray normalized) {
        try (NDArray tanh = normalized.tanh();
                NDArray magnitude = tanh.abs();
                NDArray largest = magnitude.max();
                NDArray guarded = largest.maximum(EngineScalars.of(MIN_MAGNITUDE));
                NDArray squared = tanh.square();
                NDArray slope = squared.neg().addi(EngineScalars.of(1))) {
            return slope.div(guarded);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
