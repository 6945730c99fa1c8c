package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code swish-sign}: the derivative of BNN+'s SignSwish, {@code 2 sigmoid(beta u)(1 + beta u (1 - sigmoid(beta u))) - 1}
 * (Darabi et al. 2018, arXiv:1812.11800), with beta = 5:
 * <pre>    dQ/du = beta (2 - beta u tanh(beta u / 2)) / (1 + cosh(beta u))</pre>
 * It peaks at beta for u = 0 and dips slightly below zero beyond |u| of about 2.4 / beta, as the paper's
 * curve does. For large |u| cosh overflows to infinity and the derivative is 0: finite, as estimators must be.
 */
public final class SwishSignEstimator implements GradientEstimator {

    /** The paper's beta for a sign whose gradient window is about [-1, 1]. */
    public static final double BETA = 5;

    @Override
    public String id() {
        return "swish-sign";
    }

    @Override
    public String description() {
        return "BNN+'s SignSwish: beta(2 - beta u tanh(beta u/2)) / (1 + cosh(beta u)), beta = 5"
                + " (Darabi et al. 2018, arXiv:1812.11800)";
    }

    @Override
    public NDArray derivative(NDArray normalized) {
        try (NDArray scaled = normalized.mul(EngineScalars.of(BETA));
                NDArray half = scaled.mul(EngineScalars.of(0.5));
                NDArray tanh = half.tanh();
                NDArray denominator = scaled.cosh().addi(EngineScalars.of(1));
                NDArray numerator =
                        scaled.mul(tanh).negi().addi(EngineScalars.of(2)).muli(EngineScalars.of(BETA))) {
            return numerator.div(denominator);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
