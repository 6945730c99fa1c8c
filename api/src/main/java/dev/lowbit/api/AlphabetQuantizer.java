package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.scale.ScaleSetting;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Objects;
import java.util.Optional;

/**
 * A quantizer defined by its alphabet and a scale rule:
 * <pre>
 *   s    = rule(W)                       per tensor or per output channel
 *   Q(W) = s * nearest(W / s, alphabet)
 * </pre>
 * Register a named alphabet by extending it with a public no-argument constructor.
 */
public class AlphabetQuantizer implements Quantizer {

    private final String id;
    private final String description;
    private final AlphabetCodes codes;
    private final ScaleSetting scale;

    /**
     * A quantizer with the default scale rule, {@link ScaleSetting#DEFAULT}.
     *
     * @param id the stable id
     * @param description one line for {@code lowbit list}
     * @param alphabet the allowed values before scaling
     */
    protected AlphabetQuantizer(String id, String description, Alphabet alphabet) {
        this(id, description, alphabet, ScaleSetting.DEFAULT);
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

    @Override
    public Quantizer withScaleRule(String scaleRule) {
        return new AlphabetQuantizer(id, description, codes.alphabet(), ScaleSetting.parse(scaleRule));
    }

    @Override
    public NDArray scale(NDArray weights) {
        return scale.rule().scale(weights, codes.alphabet(), scale.granularity());
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
