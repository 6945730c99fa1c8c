package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.QuantizationContext;

/**
 * {@code binaryconnect-stochastic}: stochastic BinaryConnect (Courbariaux, Bengio and David 2015,
 * arXiv:1511.00363). While training,
 * <pre>    Wb = +s with probability p = hard_sigmoid(W / s) = clip((W / s + 1) / 2, 0, 1), else -s</pre>
 * drawing from the run's seeded generator; in evaluation (and in the packed file) the nearest,
 * {@code s sign(W)}, as the paper tests. Scale rule and estimator as {@link BinaryConnectQuantizer}.
 */
public final class BinaryConnectStochasticQuantizer extends BinaryConnectQuantizer {

    private final StochasticRounding rounding =
            new StochasticRounding(alphabet().orElseThrow());

    /** The registered {@code binaryconnect-stochastic}, as {@link java.util.ServiceLoader} creates it. */
    public BinaryConnectStochasticQuantizer() {
        super(
                "binaryconnect-stochastic",
                "stochastic BinaryConnect: +s with probability clip((W/s + 1)/2, 0, 1)"
                        + " while training, nearest in evaluation (Courbariaux et al. 2015, arXiv:1511.00363)");
    }

    @Override
    public NDArray quantize(NDArray weights, NDArray scale, QuantizationContext context) {
        if (!context.training()) {
            return quantize(weights, scale);
        }
        // Group scales are compact: one per weight before dividing (per tensor and channel they broadcast);
        // an affine rule stacks its zero points after the scales: levels = round(W / s + z), Q = (levels - z) s.
        Granularity granularity = scaleSetting().granularity();
        NDArray scales = affine() ? scale.get(0) : scale;
        NDArray perWeight = granularity.expand(scales, weights.getShape());
        NDArray zeroPoint = affine() ? granularity.expand(scale.get(1), weights.getShape()) : null;
        try (NDArray draws = context.uniform(weights.getManager(), weights.getShape())) {
            NDArray normalized = weights.div(perWeight);
            if (zeroPoint != null) {
                normalized.addi(zeroPoint);
            }
            NDArray levels = rounding.roundOverwriting(normalized, draws);
            return (zeroPoint == null ? levels : levels.subi(zeroPoint)).muli(perWeight);
        }
    }
}
