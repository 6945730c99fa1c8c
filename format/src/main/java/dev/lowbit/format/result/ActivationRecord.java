package dev.lowbit.format.result;

import java.util.Objects;

/**
 * What a run's quantized layers did to their inputs, stored so a report can name the run's weight and
 * activation bits ({@code W1.58A8}) without the plugin that made it.
 *
 * <p>A {@code run.json} written before activations could be quantized has no such record; it reads as
 * {@link #NONE} (see {@link QuantizerRecord}).
 *
 * @param spec the canonical activation spec, e.g. {@code int8@absmax/token} or {@code pact:4}, or
 *     {@code none} when inputs stay fp32
 * @param bits bits per activation, e.g. 8; 32 for {@code none}; NaN when a failed run never got to
 *     build its activation quantizer
 */
public record ActivationRecord(String spec, double bits) {

    /** The spec of a run whose layers take their inputs in fp32. */
    public static final String NONE_SPEC = "none";

    /** Inputs in fp32: what every run stored before activations could be quantized. */
    public static final ActivationRecord NONE = new ActivationRecord(NONE_SPEC, 32);

    public ActivationRecord {
        Objects.requireNonNull(spec, "spec");
    }

    /** Whether the inputs were quantized, i.e. the spec is not {@code none}. */
    public boolean quantizes() {
        return !NONE_SPEC.equals(spec);
    }
}
