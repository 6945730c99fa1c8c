package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code approx-sign}: the derivative of Bi-Real Net's piecewise-quadratic approximation of sign (Liu
 * et al. 2018, arXiv:1808.00278), a triangle that puts more gradient near zero than the clipped STE:
 * <pre>    dQ/du = max(0, 2 - 2 |u|)</pre>
 */
public final class ApproxSignEstimator implements GradientEstimator {

    @Override
    public String id() {
        return "approx-sign";
    }

    @Override
    public String description() {
        return "Bi-Real Net's ApproxSign: max(0, 2 - 2|u|) (Liu et al. 2018, arXiv:1808.00278)";
    }

    @Override
    public NDArray derivative(NDArray normalized) {
        // 2 - 2|u| as -2|u| + 2: the same float32 result, computed in place on the fresh |u|.
        try (NDArray triangle = normalized.abs().muli(EngineScalars.of(-2)).addi(EngineScalars.of(2))) {
            return triangle.maximum(EngineScalars.of(0));
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
