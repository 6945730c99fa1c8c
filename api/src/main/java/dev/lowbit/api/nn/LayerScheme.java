package dev.lowbit.api.nn;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.util.Objects;

/**
 * What one quantized layer trains with: the quantizer of its weight, the estimator of that quantizer's
 * gradient, and the quantizer of its input (see docs/SCHEMES.md, "Training").
 *
 * <p>Components compare by identity (quantizers have no value equality), so configuring a block with
 * the scheme it already has changes nothing.
 *
 * @param weights the weight quantizer; full precision keeps the layer in fp32 (then {@code estimator} and
 *     {@code activations} are not used)
 * @param estimator dQ/dW for a plain weight quantizer, or what a {@link dev.lowbit.api.spi.LearnedQuantizer}
 *     receives in {@code quantizeTrained}
 * @param activations the input quantizer, which trains with its own
 *     {@link ActivationQuantizer#estimator()}; {@code null} keeps the inputs in fp32
 */
public record LayerScheme(Quantizer weights, GradientEstimator estimator, ActivationQuantizer activations) {

    public LayerScheme {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(estimator, "estimator");
    }

    /**
     * {@code q} with its own {@link Quantizer#estimator()} and no activation quantizer: what a block built
     * with {@code q} trains with.
     */
    public static LayerScheme of(Quantizer q) {
        return new LayerScheme(q, q.estimator(), null);
    }
}
