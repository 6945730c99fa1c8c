package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * Maps fp32 weights onto a few allowed values. Implementations are found with
 * {@link java.util.ServiceLoader} (list the class in {@code META-INF/services/dev.lowbit.api.spi.Quantizer});
 * built-ins and plugin jars come through the same door. Most quantizers extend
 * {@link dev.lowbit.api.AlphabetQuantizer} and only name their alphabet.
 *
 * <p>Training keeps fp32 "shadow" weights W and uses the straight-through estimator
 * <pre>    Wq = W + stop_gradient(Q(W) - W)</pre>
 * so the forward pass sees Q(W) and the gradient reaches W unchanged. The methods here are plain
 * functions of the weights, called outside the gradient tape, so a quantizer cannot break the
 * gradient:
 * <pre>
 *   s    = scale(W)
 *   c    = codes(W, s)          integers in [0, k): what the packed file stores
 *   Q(W) = decode(c, s) = s * values(c)
 * </pre>
 */
public interface Quantizer {

    /**
     * The stable id, {@code [a-z][a-z0-9.-]*} for a registered quantizer, or
     * {@code factory:parameters} for one made by a {@link QuantizerFactory}. It is persisted in
     * results, so it is never renamed.
     */
    String id();

    /** One line for {@code lowbit list}. */
    String description();

    /** The allowed values before scaling; empty for a full-precision (identity) quantizer. */
    Optional<Alphabet> alphabet();

    /** The scale rule and granularity, e.g. {@code mse/tensor}; {@code none} for full precision. */
    String scaleRule();

    /**
     * The identity of this configured quantizer as stored in results: {@code id@scaleRule}, e.g.
     * {@code ternary@mse/tensor}, or just the id at full precision. Two runs with different scale
     * rules are different runs.
     */
    default String spec() {
        return isFullPrecision() ? id() : id() + "@" + scaleRule();
    }

    /**
     * This quantizer configured with another scale rule: what lowbit trains, exports and evaluates for
     * a spec such as {@code ternary@absmax} or {@code k9@myrule/channel}.
     *
     * <p>The contract ({@code QuantizerContract} checks it): the result is an instance of this very
     * class, with this id and alphabet, whose {@link #scaleRule()} is {@code setting.toString()}; it
     * computes exactly as this quantizer would under that rule, every override included. With this
     * quantizer's own setting it quantizes exactly like this quantizer. lowbit verifies the class and
     * the spec of what it gets, and refuses a run rather than train another quantizer under this id.
     *
     * <p>The default accepts only the quantizer's own rule (returning {@code this}): right for a
     * quantizer whose scale is part of its definition. {@link dev.lowbit.api.AlphabetQuantizer}
     * accepts every rule.
     *
     * @param setting the rule (built-in or from a plugin) and the granularity
     * @throws IllegalArgumentException when this quantizer takes no other rule, saying which it uses
     */
    default Quantizer withScaleRule(ScaleSetting setting) {
        if (setting.toString().equals(scaleRule())) {
            return this;
        }
        throw new IllegalArgumentException("Quantizer '" + id() + "' has its own scale rule '" + scaleRule()
                + "' and takes no other (asked for '" + setting + "').");
    }

    /**
     * The scale s of one tensor: its quantized values are {@code s * alphabet value}.
     *
     * @param weights the fp32 shadow weights of one tensor, output channels on axis 0
     * @return a scalar (per tensor) or an array broadcastable against {@code weights} (per channel)
     */
    NDArray scale(NDArray weights);

    /**
     * The index in the alphabet (0 = smallest value) of every weight's nearest value after dividing
     * by the scale, as float32 integers in the shape of {@code weights}.
     */
    NDArray codes(NDArray weights, NDArray scale);

    /** The unscaled alphabet value of every code. */
    NDArray values(NDArray codes);

    /** Whether the scale is a trained parameter (LSQ); then the blocks keep it on the gradient tape. */
    default boolean learnsScale() {
        return false;
    }

    /** {@code scale * values(codes)}: the weights a packed model reloads to. */
    default NDArray decode(NDArray codes, NDArray scale) {
        return values(codes).mul(scale);
    }

    /** Q(W) at a given scale: {@code decode(codes(W, s), s)}. With a fixed scale this is idempotent. */
    default NDArray quantize(NDArray weights, NDArray scale) {
        return decode(codes(weights, scale), scale);
    }

    /** Q(W): the weights on the alphabet at their own scale; the shape of the input. */
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
