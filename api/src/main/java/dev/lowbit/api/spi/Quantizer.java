package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
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
 *
 * <p>Beyond that plain function a scheme may shape training (each a default, so a quantizer that
 * only names an alphabet overrides none of them):
 * <ul>
 *   <li>its backward pass: {@link #estimator()} (clipped STE, ApproxSign, ...; a spec's {@code ~ID}
 *       replaces it), computed from {@link #normalized};
 *   <li>randomness while training: {@link #quantize(NDArray, NDArray, QuantizationContext)}, e.g.
 *       stochastic rounding drawing from the run's seeded generator;
 *   <li>trained values of its own: implement {@link LearnedQuantizer};
 *   <li>a zero point: {@link #affine()};
 *   <li>the activations it is published with: {@link #activations()} (BitNet b1.58's 8-bit inputs).
 * </ul>
 *
 * <p><b>Who calls it, and when.</b> lowbit creates every registered quantizer through its public
 * no-argument constructor each time a command opens the plugins ({@code lowbit list}, {@code run},
 * {@code plan}, {@code export}, {@code eval}), so keep the constructor cheap and free of side effects. A
 * spec such as {@code int3@absmax/channel} is resolved once per command, through {@link #withScaleRule}, to
 * the instance that trains, exports and evaluates. Its array methods run in every forward pass of every
 * quantized layer (training steps, validation, the test set), and {@link #scale} and {@link #codes} once
 * more per tensor when the trained model is packed into its {@code .lbw} file.
 *
 * <p><b>Threads and state.</b> lowbit calls a quantizer from one thread at a time, but the one resolved
 * instance serves every layer of a model and every run of a command: keep no per-call or per-run state in
 * fields. The run's randomness comes from the {@link QuantizationContext}; values trained with the model
 * live in the layer ({@link LearnedQuantizer}). Arrays a method creates belong to the batch and are freed
 * after each step; never write into the arrays it is given.
 *
 * <p><b>Failures.</b> A configuration it cannot take is an {@link IllegalArgumentException} saying why
 * ({@link #withScaleRule}). Whatever the array methods throw while a run trains or is packed (an exception,
 * an error, a {@link LinkageError} from a jar compiled against another api) reaches lowbit as a
 * {@link dev.lowbit.api.nn.QuantizerException} naming the spec, the tensor and the call: that run ends as
 * FAILED and the others go on.
 *
 * <p>{@code QuantizerContract} in the contract kit checks this contract on the real engine; README, "Write
 * your own quantizer", is the guide.
 */
public interface Quantizer {

    /**
     * The stable id, {@code [a-z][a-z0-9.-]*} for a registered quantizer, or
     * {@code factory:parameters} for one made by a {@link QuantizerFactory}. It is persisted in
     * results, so it is never renamed.
     *
     * @return the id, the same on every call
     */
    String id();

    /**
     * One line for {@code lowbit list}.
     *
     * @return what the quantizer is, e.g. {@code 8 levels {-4..3}: signed 3-bit integers}
     */
    String description();

    /**
     * The allowed values before scaling.
     *
     * @return the alphabet; empty for a full-precision (identity) quantizer
     */
    Optional<Alphabet> alphabet();

    /**
     * The scale rule and granularity, the part of the {@link #spec()} after the {@code @}.
     *
     * @return e.g. {@code mse/tensor}; {@code none} for full precision
     */
    String scaleRule();

    /**
     * The identity of this configured quantizer as stored in results: {@code id@scaleRule}, e.g.
     * {@code ternary@mse/tensor}, or just the id at full precision. Two runs with different scale
     * rules are different runs.
     *
     * @return {@code id@scaleRule}, or the id alone at full precision
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
     * @return a quantizer of this class whose {@link #spec()} is {@code id@setting}; {@code this} for its own
     *     setting
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
     * @return a scalar (per tensor), an array broadcastable against {@code weights} (per channel), or the
     *     compact {@code (out, groups)} scales of {@link Granularity#scaleShape} (per group, see
     *     {@link #granularity()}); for an {@link #affine()} quantizer, that shape's scales and zero points
     *     stacked on a new leading axis of length 2
     */
    NDArray scale(NDArray weights);

    /**
     * The index in the alphabet (0 = smallest value) of every weight's nearest value after dividing
     * by the scale, as float32 integers in the shape of {@code weights}: what the packed file stores.
     *
     * @param weights the weights of one tensor, left unchanged
     * @param scale what {@link #scale} returned for them
     * @return float32 codes in {@code [0, k)}, the shape of {@code weights}
     */
    NDArray codes(NDArray weights, NDArray scale);

    /**
     * The unscaled alphabet value of every code.
     *
     * @param codes float32 integers in {@code [0, k)}, as {@link #codes} gives them
     * @return float32 alphabet values, the shape of {@code codes}
     */
    NDArray values(NDArray codes);

    /**
     * Q(W) in a forward pass. By default, and always when {@code context.training()} is false,
     * {@link #quantize(NDArray, NDArray)}: deterministic. While training a stochastic scheme may draw
     * from {@link QuantizationContext#uniform}; its values still lie on the alphabet at scale s, so its
     * codes are well defined, but they need not be the nearest.
     *
     * @param weights the fp32 shadow weights of one tensor, off the tape, left unchanged
     * @param scale what {@link #scale} returned for them
     * @param context whether this pass trains, and the run's random draws while it does
     * @return Q(W), the shape of {@code weights}; with {@code context.training()} false exactly
     *     {@code quantize(weights, scale)}
     */
    default NDArray quantize(NDArray weights, NDArray scale, QuantizationContext context) {
        return quantize(weights, scale);
    }

    /**
     * The estimator this quantizer trains with unless a spec names another ({@code ternary~clipped}):
     * {@link GradientEstimator#STE}, the identity, by default. A scheme whose paper defines its own
     * backward pass (DoReFa's tanh, BinaryConnect's clip) returns it here.
     *
     * @return the default estimator, never null
     */
    default GradientEstimator estimator() {
        return GradientEstimator.STE;
    }

    /**
     * The weights in the estimator's units, u = (2 W / s - (max + min)) / (max - min) for an alphabet
     * from min to max: the outermost levels (after scaling) at -1 and +1. Off the tape, the shape of the
     * weights. A quantizer whose scale does not broadcast against the weights (per group) or that has a
     * zero point overrides this.
     *
     * @param weights the weights (or a layer's input), left unchanged
     * @param scale what {@link #scale} returned for them
     * @return u, float32, the shape of {@code weights}
     * @throws IllegalStateException for a full-precision quantizer, which has no levels
     */
    default NDArray normalized(NDArray weights, NDArray scale) {
        Alphabet alphabet = alphabet().orElseThrow(() -> new IllegalStateException("fp32 has no levels"));
        double span = alphabet.max() - alphabet.min();
        NDArray u = weights.div(scale).muli(EngineScalars.of(2 / span));
        double centre = (alphabet.max() + alphabet.min()) / span;
        return centre == 0 ? u : u.subi(EngineScalars.of(centre));
    }

    /**
     * Whether Q has a zero point: {@code Q(W) = s * (values(c) - z)}. Then the array {@link #scale}
     * returns has a leading axis of length 2, plane 0 the scales and plane 1 the zero points (each of the
     * shape a plain scale would have), and the packed file stores both. False by default.
     *
     * @return whether {@link #scale} stacks scales and zero points
     */
    default boolean affine() {
        return false;
    }

    /**
     * The activation quantizer spec this scheme is published with, used when a run names none
     * ({@code bitnet-b1.58} is ternary weights with {@code int8@absmax/token} inputs); {@code none} by default.
     *
     * @return an activation spec, e.g. {@code int8@absmax/token}, or {@code none}
     */
    default String activations() {
        return "none";
    }

    /**
     * How many scales {@link #scale} gives for a tensor: per tensor, per output channel, or per group of
     * G weights along each output channel ({@code group:G}, whose scales have the compact shape
     * {@code (out, groups)} of {@link Granularity#scaleShape}). The packed file stores the group size of a
     * group granularity, so that {@code lowbit eval} decodes without this quantizer; per tensor and per
     * channel the scales broadcast against the weights and need no more. {@link Granularity#TENSOR} by
     * default; {@link dev.lowbit.api.AlphabetQuantizer} returns its scale setting's.
     *
     * @return the granularity of this configured quantizer's scales
     */
    default Granularity granularity() {
        return Granularity.TENSOR;
    }

    /**
     * Whether the scale is a trained parameter (LSQ); then the blocks keep it on the gradient tape. The older
     * way to train a scale, still honoured; a new quantizer implements {@link LearnedQuantizer} instead.
     *
     * @return false by default
     */
    default boolean learnsScale() {
        return false;
    }

    /**
     * {@code scale * values(codes)}: the weights a packed model reloads to.
     *
     * @param codes float32 codes, as {@link #codes} gives them
     * @param scale the scale they were computed at
     * @return the quantized weights, the shape of {@code codes}
     */
    default NDArray decode(NDArray codes, NDArray scale) {
        return values(codes).mul(scale);
    }

    /**
     * Q(W) at a given scale: {@code decode(codes(W, s), s)}. With a fixed scale this is idempotent. What
     * evaluation, validation, export and the packed file see; deterministic.
     *
     * @param weights the weights of one tensor, left unchanged
     * @param scale what {@link #scale} returned for them
     * @return Q(W), the shape of {@code weights}
     */
    default NDArray quantize(NDArray weights, NDArray scale) {
        return decode(codes(weights, scale), scale);
    }

    /**
     * Q(W): the weights on the alphabet at their own scale.
     *
     * @param weights the weights of one tensor, left unchanged
     * @return Q(W), the shape of {@code weights}
     */
    default NDArray quantize(NDArray weights) {
        return quantize(weights, scale(weights));
    }

    /**
     * Whether this is the identity (the fp32 twin).
     *
     * @return true when {@link #alphabet()} is empty
     */
    default boolean isFullPrecision() {
        return alphabet().isEmpty();
    }

    /**
     * The number of allowed values.
     *
     * @return k, or 0 for full precision
     */
    default int levels() {
        return alphabet().map(Alphabet::levels).orElse(0);
    }

    /**
     * The ideal bits per weight, as reports show them.
     *
     * @return log2(k), or 32 for full precision
     */
    default double bitsPerWeight() {
        return alphabet().map(Alphabet::idealBits).orElse(32.0);
    }

    /**
     * The number of fp32 scale factors stored for one quantized tensor of the given shape, as the memory
     * tiers count them.
     *
     * @param shape the tensor's shape
     * @return 1 by default, 0 for full precision
     */
    default long scaleCount(long[] shape) {
        return isFullPrecision() ? 0 : 1;
    }
}
