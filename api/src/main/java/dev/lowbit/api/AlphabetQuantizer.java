package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleSetting;
import java.util.Objects;
import java.util.Optional;

/**
 * A quantizer defined by its alphabet and a scale rule:
 * <pre>
 *   s    = rule(W)                       per tensor or per output channel
 *   Q(W) = s * nearest(W / s, alphabet)
 * </pre>
 * Register a named alphabet by extending it with a public no-argument constructor.
 *
 * <p>{@link #withScaleRule(ScaleSetting)} configures a copy of the very object it is called on (a
 * field-by-field clone, so a subclass keeps its class, its overrides and its fields) with the new
 * rule: {@code int3@absmax} trains {@code Int3Quantizer}'s own code. A subclass whose fields are
 * mutable objects shares them with its copies; such a subclass overrides {@code withScaleRule} to copy
 * them (calling {@code super.withScaleRule} first).
 */
public class AlphabetQuantizer implements Quantizer, Cloneable {

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
     * @param id the stable id; {@code factory:parameters} for quantizers made by a factory
     * @param description one line for {@code lowbit list}
     * @param alphabet the allowed values before scaling
     * @param scale the scale rule and granularity
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

    /** The scale rule and granularity, as an object (the spec's text is {@link #scaleRule()}). */
    public final ScaleSetting scaleSetting() {
        return scale;
    }

    @Override
    public NDArray scale(NDArray weights) {
        return scale.scale(weights, codes.alphabet());
    }

    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        // W / s is fresh and ours: the codes may overwrite it.
        return codes.codesOverwriting(weights.div(scale));
    }

    @Override
    public NDArray values(NDArray codes) {
        return this.codes.values(codes);
    }

    /** {@code scale * values(codes)}, the product computed in place on the fresh values (same result). */
    @Override
    public NDArray decode(NDArray codes, NDArray scale) {
        return scaleInPlace(this.codes.values(codes), scale);
    }

    /** Q(W) at scale s: {@code s * values(codes(W, s))}, bit for bit, computed without the codes. */
    @Override
    public NDArray quantize(NDArray weights, NDArray scale) {
        return scaleInPlace(codes.snapOverwriting(weights.div(scale)), scale);
    }

    /** {@code values * scale} in place when the product keeps the values' shape, else a new array. */
    private static NDArray scaleInPlace(NDArray values, NDArray scale) {
        return broadcastsInto(scale.getShape(), values.getShape()) ? values.muli(scale) : values.mul(scale);
    }

    private static boolean broadcastsInto(ai.djl.ndarray.types.Shape small, ai.djl.ndarray.types.Shape big) {
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

    @Override
    public long scaleCount(long[] shape) {
        return scale.granularity().scaleCount(shape);
    }

    @Override
    public String toString() {
        return spec() + " " + codes.alphabet();
    }
}
