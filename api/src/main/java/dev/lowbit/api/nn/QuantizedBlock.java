package dev.lowbit.api.nn;

import ai.djl.nn.Block;

/**
 * A block whose weight tensor goes through a quantizer. Memory accounting and packing find these
 * blocks in a model to learn which tensors are stored on the alphabet and which stay fp32; the run
 * configures each with its layer's scheme (the layer map, the estimator, the activation quantizer)
 * after the architecture built the model and before it initialises.
 *
 * <p>An architecture normally uses {@link QuantizedLinear} and {@link QuantizedConv2d}. A block of its own
 * owns a {@link QuantizedWeight}, computes its forward pass with {@link QuantizedWeight#quantizeInput} and
 * {@link QuantizedWeight#forward}, and implements {@link #configure} by passing the scheme on to
 * {@link QuantizedWeight#configure} and registering the weight's {@link QuantizedWeight#parameters()} again
 * (as {@code QuantizedLinear} does); a block that does not fails its runs with an {@link AbstractMethodError}.
 * Like any DJL block it is used from one thread at a time.
 */
public interface QuantizedBlock extends Block {

    /**
     * The quantized weight: shadow weight, quantizer, trained values and the input quantizer.
     *
     * @return the block's one quantized weight
     */
    QuantizedWeight quantizedWeight();

    /**
     * Reconfigures this block's weight (and input) quantization before the model initialises
     * ({@link QuantizedWeight#configure}), and registers the block's parameters anew, in the order: the
     * weight, its trained values, the input quantizer's trained values, then the block's others (bias).
     *
     * @param scheme what the layer trains with: weight quantizer, estimator, input quantizer
     * @param random the run's generator, which a stochastic quantizer draws from while training
     * @throws IllegalStateException when the block is already initialised
     */
    void configure(LayerScheme scheme, QuantizerRandom random);
}
