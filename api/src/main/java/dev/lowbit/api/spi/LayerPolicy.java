package dev.lowbit.api.spi;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which weight tensors an architecture quantizes. Every weight matrix and conv kernel is quantized
 * by default; biases, normalisation parameters and embeddings (class token, positions) always stay
 * fp32. A policy may also keep the first layer (the one reading the input) and/or the last (the
 * classifier) in fp32, as many low-bit papers do.
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

    /** The id used in suites, on the command line and in results, e.g. {@code fp32-first-last}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The policy with this id, or an exception listing the ids that exist. */
    public static LayerPolicy byId(String id) {
        return Arrays.stream(values()).filter(p -> p.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("No layer policy '" + id + "'. Available: "
                        + Arrays.stream(values()).map(LayerPolicy::id).toList() + "."));
    }

    /** The quantizer of the first layer: {@code quantizer}, or fp32 if this policy keeps it. */
    public Quantizer first(Quantizer quantizer) {
        return this == FP32_FIRST || this == FP32_FIRST_LAST ? FullPrecisionQuantizer.INSTANCE : quantizer;
    }

    /** The quantizer of the classifier: {@code quantizer}, or fp32 if this policy keeps it. */
    public Quantizer last(Quantizer quantizer) {
        return this == FP32_LAST || this == FP32_FIRST_LAST ? FullPrecisionQuantizer.INSTANCE : quantizer;
    }
}
