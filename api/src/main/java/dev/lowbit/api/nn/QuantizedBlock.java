package dev.lowbit.api.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.lowbit.api.spi.Quantizer;

/**
 * A block whose weight tensor goes through a quantizer. Memory accounting finds these blocks in a
 * model to learn which tensors are stored on the alphabet and which stay fp32.
 */
public interface QuantizedBlock extends Block {

    /** The fp32 shadow weight that is quantized in the forward pass. */
    Parameter shadowWeight();

    /** The quantizer the shadow weight goes through. */
    Quantizer quantizer();
}
