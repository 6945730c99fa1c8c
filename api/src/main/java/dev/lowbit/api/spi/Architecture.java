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
 *
 * <p><b>Who calls it, and when.</b> lowbit creates it through its public no-argument constructor each time a
 * command opens the plugins, and calls {@link #build} whenever it needs the model: once per run before
 * training, again in {@code lowbit export} and {@code lowbit eval} (there with the full-precision quantizer,
 * to take the decoded weights of the packed file), and in {@code lowbit list} to count parameters. So
 * {@code build} must give the same structure every time for the same shape and classes, whatever the
 * quantizer: the same quantized blocks in the same order with the same parameter names, since a checkpoint
 * and a packed file are matched to the model by them. lowbit configures each quantized block with its
 * layer's scheme after {@code build} and before the model initialises, then initialises and trains it.
 *
 * <p><b>Threads and failures.</b> Called from one thread at a time, keeping no state between calls. An
 * {@link IllegalArgumentException} from {@code build} says the architecture cannot take the input shape;
 * anything it (or its blocks, while the run trains) throws fails that run only.
 * {@code ArchitectureContract} in the contract kit checks this on the real engine, training one step.
 */
public interface Architecture {

    /**
     * The stable id, persisted in results and never renamed.
     *
     * @return the id, {@code [a-z][a-z0-9.-]*}, e.g. {@code fcnn-small}
     */
    String id();

    /**
     * One line for {@code lowbit list}.
     *
     * @return what the model is, including the layer sizes
     */
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

    /**
     * Builds with every weight tensor quantized ({@link LayerPolicy#ALL}).
     *
     * @param inputShape one example's shape without the batch axis, as for
     *     {@link #build(Shape, int, Quantizer, LayerPolicy)}
     * @param classes the number of output classes
     * @param quantizer the quantizer every quantized weight tensor goes through
     * @return the uninitialised block, producing logits of shape {@code (batch, classes)}
     * @throws IllegalArgumentException if the architecture cannot take this input shape
     */
    default Block build(Shape inputShape, int classes, Quantizer quantizer) {
        return build(inputShape, classes, quantizer, LayerPolicy.ALL);
    }
}
