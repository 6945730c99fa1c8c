package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * Maps fp32 weights onto a few allowed values. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in {@code META-INF/services/dev.lowbit.api.spi.Quantizer});
 * built-ins and plugin jars come through the same door.
 *
 * <p>Training keeps fp32 "shadow" weights W and uses the straight-through estimator
 * <pre>    Wq = W + stop_gradient(Q(W) - W)</pre>
 * so the forward pass sees Q(W) and the gradient reaches W unchanged. {@link #quantize} is that Q:
 * a plain function of the weights, called outside the gradient tape, so a quantizer cannot break
 * the gradient.
 */
public interface Quantizer {

    /**
     * The stable id, {@code [a-z][a-z0-9.-]*}. It is persisted in results and run ids, so it is never
     * renamed.
     */
    String id();

    /** One line for {@code lowbit list}. */
    String description();

    /** The allowed values before scaling; empty for a full-precision (identity) quantizer. */
    Optional<Alphabet> alphabet();

    /** How fp32 weights are scaled onto the alphabet, e.g. {@code absmean per-tensor}; shown and stored. */
    String scaleRule();

    /**
     * The scale s of one tensor: its quantized values are {@code s * alphabet value}.
     * Called without gradient recording.
     *
     * @param weights the fp32 shadow weights of one tensor
     * @return the scale, a scalar (per-tensor) or an array broadcastable against {@code weights}
     */
    NDArray scale(NDArray weights);

    /**
     * Every element of {@code weights} replaced by {@code scale * v}, v its nearest alphabet value
     * after dividing by the scale. With a fixed scale this is idempotent.
     *
     * @param weights the fp32 shadow weights of one tensor
     * @param scale the scale returned by {@link #scale} for these weights
     * @return the quantized weights, in the shape of {@code weights}
     */
    NDArray quantize(NDArray weights, NDArray scale);

    /**
     * Q(W): the weights on the alphabet at their own scale. Called without gradient recording;
     * the result has the shape of the input.
     */
    default NDArray quantize(NDArray weights) {
        return quantize(weights, scale(weights));
    }

    /** Whether this is the identity (the fp32 twin). */
    default boolean isFullPrecision() {
        return alphabet().isEmpty();
    }

    /** The number of allowed values k, or 0 for full precision. */
    default int levels() {
        return alphabet().map(Alphabet::levels).orElse(0);
    }

    /** The ideal bits per weight, log2(k), or 32 for full precision. */
    default double bitsPerWeight() {
        return alphabet().map(Alphabet::idealBits).orElse(32.0);
    }

    /** The number of fp32 scale factors stored for one quantized tensor of the given shape. */
    default long scaleCount(long[] shape) {
        return isFullPrecision() ? 0 : 1;
    }
}
