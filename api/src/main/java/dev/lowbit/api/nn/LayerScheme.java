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
 * @param weights the weight quantizer; full precision keeps the weights in fp32 (then {@code estimator} is
 *     not used). The inputs of such a layer are still quantized when {@code activations} is set: that is how
 *     {@code lowbit eval} rebuilds a model from decoded weights. Which layers a run quantizes is the harness's
 *     choice (a layer a run keeps in fp32 gets no activation quantizer).
 * @param estimator dQ/dW for a plain weight quantizer, or what a {@link dev.lowbit.api.spi.LearnedQuantizer}
 *     receives in {@code quantizeTrained}
 * @param activations the input quantizer; {@code null} keeps the inputs in fp32
 * @param inputEstimator dQa/dx for the input quantizer: its own {@link ActivationQuantizer#estimator()} unless a
 *     spec names another ({@code int8@absmax/token~clipped}); null when there is no input quantizer
 */
public record LayerScheme(Quantizer weights, GradientEstimator estimator, ActivationQuantizer activations,
        GradientEstimator inputEstimator) {

    public LayerScheme {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(estimator, "estimator");
        if (activations == null) {
            inputEstimator = null;
        } else if (inputEstimator == null) {
            inputEstimator = activations.estimator();
        }
    }

    /** A scheme whose input quantizer (if any) trains with its own estimator. */
    public LayerScheme(Quantizer weights, GradientEstimator estimator, ActivationQuantizer activations) {
        this(weights, estimator, activations, null);
    }

    /**
     * {@code q} with its own {@link Quantizer#estimator()} and no activation quantizer: what a block built
     * with {@code q} trains with.
     */
    public static LayerScheme of(Quantizer q) {
        return new LayerScheme(q, q.estimator(), null);
    }
}
