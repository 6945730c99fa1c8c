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
     * @param inputShape one example's shape without the batch axis, e.g. {@code (1, 28, 28)}
     * @param classes the number of output classes
     * @param quantizer the quantizer every quantized weight tensor goes through
     * @return the block, producing logits of shape {@code (batch, classes)}
     */
    Block build(Shape inputShape, int classes, Quantizer quantizer);
}
