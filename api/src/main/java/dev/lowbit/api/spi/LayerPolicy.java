package dev.lowbit.api.spi;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which weight tensors an architecture quantizes. Every weight matrix and conv kernel is quantized
 * by default; biases, normalisation parameters and embeddings (class token, positions) always stay
 * fp32. A policy may also keep the first layer (the one reading the input) and/or the last (the
 * classifier) in fp32, as many low-bit papers do.
 *
 * <p>lowbit passes the run's preset to {@link Architecture#build(ai.djl.ndarray.types.Shape, int, Quantizer,
 * LayerPolicy)}; an architecture asks {@link #first} and {@link #last} for the quantizer of its input layer
 * and its classifier, and gives every other quantized layer the run's quantizer. (A run with a layer map,
 * which picks quantizers layer by layer, is built with {@link #ALL}; lowbit applies the map after the build.)
 */
public enum LayerPolicy {
    /** Every weight matrix and conv kernel quantized. */
    ALL,
    /** The first layer in fp32. */
    FP32_FIRST,
    /** The classifier in fp32. */
    FP32_LAST,
    /** First layer and classifier in fp32. */
    FP32_FIRST_LAST;

    /**
     * The id used in suites, on the command line and in results.
     *
     * @return e.g. {@code fp32-first-last}
     */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * The policy with this id.
     *
     * @param id a policy id, e.g. {@code fp32-first}
     * @return the policy
     * @throws IllegalArgumentException for an unknown id, listing the ids that exist
     */
    public static LayerPolicy byId(String id) {
        return Arrays.stream(values())
                .filter(p -> p.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No layer policy '" + id + "'. Available: "
                        + Arrays.stream(values()).map(LayerPolicy::id).toList() + "."));
    }

    /**
     * The quantizer of the first layer.
     *
     * @param quantizer the run's quantizer
     * @return {@code quantizer}, or fp32 if this policy keeps the first layer in fp32
     */
    public Quantizer first(Quantizer quantizer) {
        return this == FP32_FIRST || this == FP32_FIRST_LAST ? FullPrecisionQuantizer.INSTANCE : quantizer;
    }

    /**
     * The quantizer of the classifier.
     *
     * @param quantizer the run's quantizer
     * @return {@code quantizer}, or fp32 if this policy keeps the classifier in fp32
     */
    public Quantizer last(Quantizer quantizer) {
        return this == FP32_LAST || this == FP32_FIRST_LAST ? FullPrecisionQuantizer.INSTANCE : quantizer;
    }
}
