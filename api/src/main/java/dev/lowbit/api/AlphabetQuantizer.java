package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import dev.lowbit.api.spi.TrainedValue;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A quantizer defined by its alphabet and a scale rule:
 * <pre>
 *   s    = rule(W)                       per tensor, per output channel or per group of G weights
 *   Q(W) = s * nearest(W / s, alphabet)
 * </pre>
 * Per group ({@code @absmax/group:64}) {@link #scale} gives the compact {@code (out, groups)} scales and
 * the other methods expand them to one per weight ({@link Granularity#expand}). Under an affine rule
 * ({@code @minmax}) there is a zero point z too: {@code Q(W) = (nearest(W / s + z) - z) * s}. Under the
 * learned rule ({@code @learned}) it is LSQ, a {@link LearnedQuantizer} whose one trained value is the step s.
 * Register a named alphabet by extending it with a public no-argument constructor.
 *
 * <p>{@link #withScaleRule(ScaleSetting)} configures a copy of the very object it is called on (a
 * field-by-field clone, so a subclass keeps its class, its overrides and its fields) with the new
 * rule: {@code int3@absmax} trains {@code Int3Quantizer}'s own code. A subclass whose fields are
 * mutable objects shares them with its copies; such a subclass overrides {@code withScaleRule} to copy
 * them (calling {@code super.withScaleRule} first).
 *
 * <p><b>For a subclass.</b> Override what you need, keeping the contract that
 * {@code quantize(W, s)} equals {@code decode(codes(W, s), s)} bit for bit: {@link #quantize(NDArray, NDArray)}
 * snaps without calling {@link #codes(NDArray, NDArray)}, so a subclass that overrides {@code codes} overrides
 * {@code quantize} too. A training-time override of {@link #quantize(NDArray, NDArray, QuantizationContext)}
 * computes in the units of {@link #normalized} and finishes with {@link #decode}, which keeps it right under
 * every scale rule and granularity a spec may name. {@code QuantizerContract} checks all of this.
 *
 * <p>An instance never changes after construction (its one mutable field is set on a fresh clone only), so
 * lowbit shares it freely, as the {@link Quantizer} contract asks; a subclass keeps it that way. Otherwise
 * the {@link Quantizer} contract applies.
 */
public class AlphabetQuantizer implements LearnedQuantizer, Cloneable {

    private final String id;
    private final String description;
    private final AlphabetCodes codes;
    /** Not final only so that {@link #withScaleRule} can set it on a fresh clone; never changed after that. */
    private ScaleSetting scale;

    /**
     * A quantizer with the default scale rule, {@link ScaleRules#DEFAULT}.
     *
     * @param id the stable id
     * @param description one line for {@code lowbit list}
     * @param alphabet the allowed values before scaling
     */
    protected AlphabetQuantizer(String id, String description, Alphabet alphabet) {
        this(id, description, alphabet, ScaleRules.DEFAULT);
    }

    /**
     * A quantizer with the given scale rule: what a {@link dev.lowbit.api.spi.QuantizerFactory} makes.
     *
     * @param id the stable id; {@code factory:parameters} for quantizers made by a factory
     * @param description one line for {@code lowbit list}
     * @param alphabet the allowed values before scaling
     * @param scale the scale rule and granularity
     * @throws NullPointerException when an argument is null
     * @throws IllegalArgumentException for an id without a colon that does not match {@code [a-z][a-z0-9.-]*}
     */
    public AlphabetQuantizer(String id, String description, Alphabet alphabet, ScaleSetting scale) {
        this.id = Objects.requireNonNull(id, "id");
        if (!id.contains(":")) {
            PersistedIds.requireValid(id);
        }
        this.description = Objects.requireNonNull(description, "description");
        this.codes = new AlphabetCodes(Objects.requireNonNull(alphabet, "alphabet"));
        this.scale = Objects.requireNonNull(scale, "scale");
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String description() {
        return description;
    }

    @Override
    public final Optional<Alphabet> alphabet() {
        return Optional.of(codes.alphabet());
    }

    @Override
    public final String scaleRule() {
        return scale.toString();
    }

    /** A clone of this quantizer, of its class, with another scale rule; see the class comment. */
    @Override
    public AlphabetQuantizer withScaleRule(ScaleSetting setting) {
        Objects.requireNonNull(setting, "setting");
        try {
            AlphabetQuantizer configured = (AlphabetQuantizer) clone();
            configured.scale = setting;
            return configured;
        } catch (CloneNotSupportedException e) {
            throw new AssertionError("AlphabetQuantizer is Cloneable", e);
        }
    }

    /**
     * The scale rule and granularity, as an object (the spec's text is {@link #scaleRule()}).
     *
     * @return the setting this quantizer was configured with
     */
    public final ScaleSetting scaleSetting() {
        return scale;
    }

    /**
     * The scale setting's scales: per tensor, per output channel, or per group in the compact
     * {@code (out, groups)} form. Under an {@link ScaleRule#affine() affine} rule, the scales and zero points
     * stacked on a new leading axis (plane 0 the scales, plane 1 the zero points; see {@link #affine()}).
     */
    @Override
    public NDArray scale(NDArray weights) {
        return affine() ? scale.scaleAndZeroPoint(weights, codes.alphabet()) : scale.scale(weights, codes.alphabet());
    }

    /** The scale setting's granularity: its group size goes into the packed file. */
    @Override
    public Granularity granularity() {
        return scale.granularity();
    }

    /** Whether the scale rule gives a zero point ({@code minmax}): {@code Q(W) = (values(c) - z) * s}. */
    @Override
    public boolean affine() {
        return scale.rule().affine();
    }

    /** Per tensor and per channel without a zero point: the scale broadcasts and is used as it is. */
    private boolean broadcasts() {
        return !scale.granularity().isGroup() && !affine();
    }

    /** {@code nearest(W / s)}, or {@code nearest(W / s + z)} with a zero point; per group, s per weight. */
    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        if (broadcasts()) {
            // W / s is fresh and ours: the codes may overwrite it.
            return codes.codesOverwriting(weights.div(scale));
        }
        try (PerWeight perWeight = perWeight(scale, weights.getShape())) {
            return codes.codesOverwriting(perWeight.normalize(weights));
        }
    }

    @Override
    public NDArray values(NDArray codes) {
        return this.codes.values(codes);
    }

    /**
     * {@code scale * values(codes)}, the product computed in place on the fresh values (same result); with a
     * zero point {@code (values(codes) - z) * s}, in this order, as the packed file decodes it.
     */
    @Override
    public NDArray decode(NDArray codes, NDArray scale) {
        if (broadcasts()) {
            return scaleInPlace(this.codes.values(codes), scale);
        }
        try (PerWeight perWeight = perWeight(scale, codes.getShape())) {
            return perWeight.denormalize(this.codes.values(codes));
        }
    }

    /** Q(W) at scale s: {@code decode(codes(W, s), s)}, bit for bit, computed without the codes. */
    @Override
    public NDArray quantize(NDArray weights, NDArray scale) {
        if (broadcasts()) {
            return scaleInPlace(codes.snapOverwriting(weights.div(scale)), scale);
        }
        try (PerWeight perWeight = perWeight(scale, weights.getShape())) {
            return perWeight.denormalize(codes.snapOverwriting(perWeight.normalize(weights)));
        }
    }

    /** The estimator's units (see {@link Quantizer#normalized}) of {@code W / s + z}, s and z per weight. */
    @Override
    public NDArray normalized(NDArray weights, NDArray scale) {
        if (broadcasts()) {
            return LearnedQuantizer.super.normalized(weights, scale);
        }
        Alphabet alphabet = codes.alphabet();
        double span = alphabet.max() - alphabet.min();
        double centre = (alphabet.max() + alphabet.min()) / span;
        try (PerWeight perWeight = perWeight(scale, weights.getShape())) {
            NDArray u = perWeight.normalize(weights).muli(EngineScalars.of(2 / span));
            return centre == 0 ? u : u.subi(EngineScalars.of(centre));
        }
    }

    /** The scale (and zero point) of every weight, from what {@link #scale} returns. */
    private PerWeight perWeight(NDArray scale, Shape weightShape) {
        Granularity granularity = this.scale.granularity();
        if (!affine()) {
            NDArray s = granularity.expand(scale, weightShape);
            return new PerWeight(s, null, s != scale);
        }
        return new PerWeight(expanded(scale.get(0), weightShape), expanded(scale.get(1), weightShape), true);
    }

    /** {@code plane} (a fresh array, handed over) expanded to one value per weight; the plane closed if copied. */
    private NDArray expanded(NDArray plane, Shape weightShape) {
        NDArray perWeight = scale.granularity().expand(plane, weightShape);
        if (perWeight != plane) {
            plane.close();
        }
        return perWeight;
    }

    /** Scales and zero points (or null) that broadcast against the weights; closed when {@code owned}. */
    private record PerWeight(NDArray scale, NDArray zeroPoint, boolean owned) implements AutoCloseable {

        /** {@code W / s + z}, a fresh array. */
        NDArray normalize(NDArray weights) {
            NDArray normalized = weights.div(scale);
            return zeroPoint == null ? normalized : normalized.addi(zeroPoint);
        }

        /** {@code (values - z) * s}, in place on the fresh values. */
        NDArray denormalize(NDArray values) {
            return (zeroPoint == null ? values : values.subi(zeroPoint)).muli(scale);
        }

        @Override
        public void close() {
            if (owned) {
                scale.close();
                if (zeroPoint != null) {
                    zeroPoint.close();
                }
            }
        }
    }

    /** {@code values * scale} in place when the product keeps the values' shape, else a new array. */
    private static NDArray scaleInPlace(NDArray values, NDArray scale) {
        return broadcastsInto(scale.getShape(), values.getShape()) ? values.muli(scale) : values.mul(scale);
    }

    private static boolean broadcastsInto(Shape small, Shape big) {
        if (small.dimension() > big.dimension()) {
            return false;
        }
        for (int i = 1; i <= small.dimension(); i++) {
            long s = small.get(small.dimension() - i);
            if (s != 1 && s != big.get(big.dimension() - i)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean learnsScale() {
        return scale.rule().learned();
    }

    /** The scale setting's count ({@link Granularity#scaleCount}), twice that with zero points. */
    @Override
    public long scaleCount(long[] shape) {
        return scale.granularity().scaleCount(shape) * (affine() ? 2 : 1);
    }

    /**
     * LSQ's step size under a learned rule ({@code @learned}): one value {@code scale} of shape
     * {@code (count, 1, ..., 1)} (as many dimensions as the weights, count = {@link #scaleCount}); none
     * otherwise.
     */
    @Override
    public List<TrainedValue> trainedValues(Shape weightShape) {
        if (!learnsScale()) {
            return List.of();
        }
        long[] shape = new long[Math.max(1, weightShape.dimension())];
        Arrays.fill(shape, 1);
        shape[0] = scaleCount(weightShape.getShape());
        return List.of(new TrainedValue(LearnedStepSize.NAME, new Shape(shape)));
    }

    /** The rule's scale of the initial weights (the MSE-optimal one for {@code learned}), in the trained shape. */
    @Override
    public NDList initialValues(NDArray weights) {
        List<TrainedValue> trained = trainedValues(weights.getShape());
        NDList initial = new NDList();
        for (TrainedValue value : trained) {
            // A copy, not the reshaped view: the rule's scale may be an array made from Java data (the MSE
            // search of a small tensor), whose memory is freed with it when it closes here.
            try (NDArray rule = scale(weights);
                    NDArray view = rule.reshape(value.shape())) {
                initial.add(view.duplicate());
            }
        }
        return initial;
    }

    /**
     * LSQ's forward pass (Esser et al. 2020) on the tapes of the weights and the step s; the estimator is
     * ignored, since LSQ defines the weights' gradient itself (1 inside the alphabet's range, 0 where W / s
     * clips). See {@link LearnedStepSize}.
     *
     * <p>Intermediate arrays live in a sub-manager of {@code shadow}'s manager, closed before returning (the
     * tape keeps what the backward pass needs); the result is owned by {@code shadow}'s manager. Pass the
     * shadow weights as an alias owned by the batch's manager ({@code reshape} to the same shape), or attach
     * the result to it: a parameter's own manager lives as long as the model.
     *
     * @throws IllegalStateException when the rule is not learned ({@link #trainedValues} is empty)
     */
    @Override
    public NDArray quantizeTrained(
            NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        if (!learnsScale() || trained.size() != 1) {
            throw new IllegalStateException("Quantizer '" + spec() + "' trains "
                    + trainedValues(shadow.getShape()).size() + " values, got " + trained.size()
                    + "; call quantizeTrained only with its trainedValues.");
        }
        NDManager home = shadow.getManager();
        try (NDManager scope = home.newSubManager()) {
            NDArray quantized = LearnedStepSize.quantize(shadow, trained.get(0), this, scope);
            quantized.attach(home);
            return quantized;
        }
    }

    /** The codes at the trained step: {@code codes(W, trained[0])}. */
    @Override
    public NDArray codes(NDArray weights, NDList trained) {
        return codes(weights, trained.get(0));
    }

    /**
     * The trained step as trained, {@code (count, 1, ..., 1)}: it broadcasts per tensor and per channel; per
     * group the packed file reshapes it to {@code (out, groups)}.
     */
    @Override
    public NDArray packedScale(NDList trained) {
        return trained.get(0);
    }

    @Override
    public String toString() {
        return spec() + " " + codes.alphabet();
    }
}
