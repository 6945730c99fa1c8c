package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Objects;
import java.util.Optional;

/**
 * A quantizer defined by its alphabet, with one per-tensor absmean scale:
 * <pre>
 *   s    = mean(|W|)                          (BitNet b1.58's absmean)
 *   Q(W) = s * nearest(W / s, alphabet)
 * </pre>
 * Extend it with a public no-argument constructor to register a named alphabet.
 */
public abstract class AlphabetQuantizer implements Quantizer {

    /** Guards the division when a tensor is all zeros. */
    private static final float MIN_SCALE = 1e-8f;

    private final String id;
    private final String description;
    private final Alphabet alphabet;
    private final double uniformStep;

    /**
     * @param id the stable id
     * @param description one line for {@code lowbit list}
     * @param alphabet the allowed values before scaling
     */
    protected AlphabetQuantizer(String id, String description, Alphabet alphabet) {
        this.id = PersistedIds.requireValid(id);
        this.description = Objects.requireNonNull(description, "description");
        this.alphabet = Objects.requireNonNull(alphabet, "alphabet");
        this.uniformStep = alphabet.uniformStep();
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
        return Optional.of(alphabet);
    }

    @Override
    public String scaleRule() {
        return "absmean per-tensor";
    }

    @Override
    public NDArray scale(NDArray weights) {
        return weights.abs().mean().maximum(MIN_SCALE);
    }

    @Override
    public NDArray quantize(NDArray weights, NDArray scale) {
        return snap(weights.div(scale)).mul(scale);
    }

    /** Replaces every element by the nearest alphabet value (ties towards the larger value or even). */
    protected NDArray snap(NDArray normalized) {
        double lowest = alphabet.min();
        if (!Double.isNaN(uniformStep)) {
            return normalized.sub(lowest).div(uniformStep).round()
                    .clip(0, alphabet.levels() - 1)
                    .mul(uniformStep).add(lowest);
        }
        // Unequal spacing: start at the lowest value and climb one step per midpoint passed.
        NDArray snapped = normalized.zerosLike().add(lowest);
        for (int i = 1; i < alphabet.levels(); i++) {
            double below = alphabet.value(i - 1);
            double above = alphabet.value(i);
            NDArray passed = normalized.gt((below + above) / 2).toType(DataType.FLOAT32, false);
            snapped = snapped.add(passed.mul(above - below));
        }
        return snapped;
    }

    @Override
    public String toString() {
        return id + " " + alphabet;
    }
}
