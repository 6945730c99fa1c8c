package dev.lowbit.api.spi;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;

/**
 * A model family at one size, e.g. {@code fcnn-small}. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in
 * {@code META-INF/services/dev.lowbit.api.spi.Architecture}).
 *
 * <p>Every weight tensor that should be quantized must go through a {@link dev.lowbit.api.nn.QuantizedBlock}
 * (for example {@link dev.lowbit.api.nn.QuantizedLinear}); that is how the harness learns which tensors
 * were quantized. The fp32 twin is the same architecture built with the full-precision quantizer.
 */
public interface Architecture {

    /** The stable id, {@code [a-z][a-z0-9.-]*}, persisted in results and never renamed. */
    String id();

    /** One line for {@code lowbit list}, including the layer sizes. */
    String description();

    /**
     * Builds an uninitialised DJL block.
     *
     * @param inputShape one example's shape without the batch axis, {@code (channels, height, width)},
     *     e.g. {@code (1, 28, 28)} or {@code (3, 32, 32)}
     * @param classes the number of output classes
     * @param quantizer the quantizer every quantized weight tensor goes through
     * @param policy which layers the quantizer applies to; {@link LayerPolicy#first} and
     *     {@link LayerPolicy#last} give the quantizer of the input layer and of the classifier
     * @return the block, producing logits of shape {@code (batch, classes)}
     * @throws IllegalArgumentException if the architecture cannot take this input shape
     */
    Block build(Shape inputShape, int classes, Quantizer quantizer, LayerPolicy policy);

    /** Builds with every weight tensor quantized ({@link LayerPolicy#ALL}). */
    default Block build(Shape inputShape, int classes, Quantizer quantizer) {
        return build(inputShape, classes, quantizer, LayerPolicy.ALL);
    }
}
