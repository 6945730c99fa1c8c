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
 * <p>lowbit makes one per quantized layer of a run (from the run's spec, its activations and its layer map)
 * and hands it to {@link QuantizedBlock#configure}; a block of an architecture's own passes it on to its
 * {@link QuantizedWeight}. An immutable value.
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
public record LayerScheme(
        Quantizer weights,
        GradientEstimator estimator,
        ActivationQuantizer activations,
        GradientEstimator inputEstimator) {

    /**
     * A layer's scheme; a null {@code inputEstimator} with an input quantizer means the quantizer's own.
     *
     * @param weights the weight quantizer
     * @param estimator dQ/dW for the weight quantizer
     * @param activations the input quantizer, or null
     * @param inputEstimator dQa/dx, or null for the input quantizer's own (ignored when there is none)
     * @throws NullPointerException when {@code weights} or {@code estimator} is null
     */
    public LayerScheme {
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(estimator, "estimator");
        if (activations == null) {
            inputEstimator = null;
        } else if (inputEstimator == null) {
            inputEstimator = activations.estimator();
        }
    }

    /**
     * A scheme whose input quantizer (if any) trains with its own estimator.
     *
     * @param weights the weight quantizer
     * @param estimator dQ/dW for the weight quantizer
     * @param activations the input quantizer, or null
     * @throws NullPointerException when {@code weights} or {@code estimator} is null
     */
    public LayerScheme(Quantizer weights, GradientEstimator estimator, ActivationQuantizer activations) {
        this(weights, estimator, activations, null);
    }

    /**
     * {@code q} with its own {@link Quantizer#estimator()} and no activation quantizer: what a block built
     * with {@code q} trains with.
     *
     * @param q the weight quantizer
     * @return the scheme
     */
    public static LayerScheme of(Quantizer q) {
        return new LayerScheme(q, q.estimator(), null);
    }
}
