package dev.lowbit.api.nn;

import ai.djl.nn.Block;

/**
 * A block whose weight tensor goes through a quantizer. Memory accounting and packing find these
 * blocks in a model to learn which tensors are stored on the alphabet and which stay fp32.
 */
public interface QuantizedBlock extends Block {

    /** The quantized weight: shadow weight, quantizer and, if learned, the scale parameter. */
    QuantizedWeight quantizedWeight();
}
