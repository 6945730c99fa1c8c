package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;

/**
 * How fp32 weights are mapped onto an alphabet: the scale s in
 * <pre>    Q(W) = s * nearest(W / s)</pre>
 * A visible, configurable part of every alphabet quantizer; its id is part of the quantizer's spec
 * ({@code ternary@absmean/tensor}), so results say which rule made them.
 */
public interface ScaleRule {

    /** The stable id, e.g. {@code absmean}, persisted in results. */
    String id();

    /** One line for {@code lowbit list} and the README. */
    String description();

    /**
     * The scale of {@code weights}, computed without gradient recording.
     *
     * @param weights one weight tensor, output channels on axis 0
     * @param alphabet the values the weights are snapped to
     * @param granularity per tensor (a scalar result) or per output channel (shape {@code (out, 1, ...)})
     * @return a positive scale broadcastable against {@code weights}
     */
    NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity);

    /**
     * Whether the scale is a trained parameter (LSQ). Then {@link #scale} gives only its initial
     * value and the quantized blocks keep the scale as a parameter on the gradient tape.
     */
    default boolean learned() {
        return false;
    }
}
