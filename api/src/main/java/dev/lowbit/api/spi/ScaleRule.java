package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;

/**
 * How fp32 weights are mapped onto an alphabet: the scale s in
 * <pre>    Q(W) = s * nearest(W / s)</pre>
 * A visible, configurable part of every alphabet quantizer; its id is part of the quantizer's spec
 * ({@code ternary@absmean/tensor}), so results say which rule made them.
 *
 * <p>Rules are found with {@link java.util.ServiceLoader} like quantizers (list the class, which has a
 * public no-argument constructor, in {@code META-INF/services/dev.lowbit.api.spi.ScaleRule}); the
 * built-in ones come through the same door. Any alphabet quantizer takes any rule by id:
 * {@code k9@myrule}, {@code ternary@myrule/channel}. {@code ScaleRuleContract} in lowbit-testkit
 * is the contract a rule passes: per tensor and per channel, on vector, matrix and conv-kernel weights.
 *
 * <p><b>Who calls it, and when.</b> lowbit creates the rule once each time a command opens the plugins and
 * resolves a spec's rule by its id into a {@link ScaleSetting}, which it hands the quantizer's
 * {@link Quantizer#withScaleRule}. The quantizer then calls {@link #scale} (and {@link #zeroPoint} for an
 * affine rule) off the gradient tape on every weight tensor in every forward pass, and once more when the
 * model is packed; a group granularity reaches the rule as per-channel calls (see {@link ScaleSetting}).
 * One instance serves every quantizer, layer and run of a command, from one thread at a time: keep no state
 * in fields. Whatever it throws while a run trains fails that run only, naming the quantizer's spec and the
 * tensor.
 */
public interface ScaleRule {

    /**
     * The stable id, persisted in results as part of every spec that names the rule, so never renamed.
     *
     * @return the id, {@code [a-z][a-z0-9.-]*}, e.g. {@code absmean}
     */
    String id();

    /**
     * One line for {@code lowbit list} and the README.
     *
     * @return what the scale is, e.g. {@code s = 1.5 rms(W)}
     */
    String description();

    /**
     * The scale of {@code weights}, computed without gradient recording.
     *
     * <p>Weights may have any rank: 1 (a vector), 2 (a linear or attention projection, {@code (out, in)})
     * or 4 (a conv kernel, {@code (out, in, kh, kw)}). The engine (PyTorch) reduces over one axis at a
     * time, so reduce per channel over {@link Granularity#rows(NDArray)} and shape the result with
     * {@link Granularity#scaleShape(ai.djl.ndarray.types.Shape)}.
     *
     * @param weights one weight tensor, output channels on axis 0
     * @param alphabet the values the weights are snapped to
     * @param granularity per tensor (a scalar result) or per output channel (shape {@code (out, 1, ...)}); never
     *     a group granularity
     * @return a positive, finite float32 scale of shape {@code granularity.scaleShape(weights.getShape())},
     *     broadcastable against {@code weights}; positive also for all-zero weights
     */
    NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity);

    /**
     * Whether the scale is a trained parameter (LSQ). Then {@link #scale} gives only its initial
     * value and the quantized blocks keep the scale as a parameter on the gradient tape.
     *
     * @return false by default; true for the built-in {@code learned}
     */
    default boolean learned() {
        return false;
    }

    /**
     * Whether this rule also gives a zero point z (an asymmetric rule such as {@code minmax}): then a
     * quantizer under it maps {@code Q(W) = (values(c) - z) * s} with {@code c = nearest(W / s + z)}, and its
     * {@link Quantizer#affine()} is true. False by default: {@code Q(W) = values(c) * s}.
     *
     * @return whether {@link #zeroPoint} gives zero points
     */
    default boolean affine() {
        return false;
    }

    /**
     * The zero point z of {@code weights} for an {@link #affine()} rule, computed without gradient
     * recording, in alphabet units: the weights {@code W} sit at {@code W / s + z} on the alphabet.
     * Called by the quantizer right after {@link #scale} on the same weights and granularity, with its
     * result, so a rule need not compute the scale twice. Per tensor or per output channel only, like
     * {@link #scale}: for {@code group:G}, {@link ScaleSetting} hands a rule each group as a row.
     *
     * <p>The default, for a rule that is not affine, is zero (the shape of {@code scale}): no shift.
     *
     * @param weights one weight tensor, output channels on axis 0
     * @param alphabet the values the weights are snapped to
     * @param granularity per tensor or per output channel, as for {@link #scale}
     * @param scale what {@link #scale} returned for these weights
     * @return finite float32 zero points of the shape of {@code scale}
     */
    default NDArray zeroPoint(NDArray weights, Alphabet alphabet, Granularity granularity, NDArray scale) {
        return scale.zerosLike();
    }
}
