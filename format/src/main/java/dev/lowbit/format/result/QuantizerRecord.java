package dev.lowbit.format.result;

import java.util.List;

/**
 * What a run's quantizer was, stored so a report never needs the plugin that made it.
 *
 * <p>{@code estimator} and {@code activations} came with bit schemes (docs/SCHEMES.md); a {@code run.json}
 * written before has neither, and reads as {@code ste} and {@link ActivationRecord#NONE}: what those
 * runs did.
 *
 * @param id quantizer id
 * @param levels number of allowed values k; 0 for full precision
 * @param values the allowed values (before scaling); empty for full precision
 * @param hasZero whether zero is among the values
 * @param bitsPerWeight ideal bits per quantized weight, log2(k); 32 for full precision
 * @param scaleRule how floats are mapped onto the values, e.g. {@code absmean per-tensor}
 * @param estimator the id of the gradient estimator the weights trained with, e.g. {@code ste} or
 *     {@code clipped}; {@code ste} (the identity) when absent
 * @param activations the activation quantizer of the run's quantized layers; {@link ActivationRecord#NONE}
 *     when absent
 */
public record QuantizerRecord(
        String id,
        int levels,
        List<Double> values,
        boolean hasZero,
        double bitsPerWeight,
        String scaleRule,
        String estimator,
        ActivationRecord activations) {

    /** The estimator of every run that names none: the straight-through estimator, dQ/dW = 1. */
    public static final String DEFAULT_ESTIMATOR = "ste";

    public QuantizerRecord {
        values = List.copyOf(values);
        estimator = estimator == null ? DEFAULT_ESTIMATOR : estimator;
        activations = activations == null ? ActivationRecord.NONE : activations;
    }

    /** A quantizer trained with the straight-through estimator and fp32 inputs, as every run before bit schemes. */
    public QuantizerRecord(
            String id, int levels, List<Double> values, boolean hasZero, double bitsPerWeight, String scaleRule) {
        this(id, levels, values, hasZero, bitsPerWeight, scaleRule, null, null);
    }

    /** This record with the estimator and the activation quantizer the run trained with. */
    public QuantizerRecord withScheme(String newEstimator, ActivationRecord newActivations) {
        return new QuantizerRecord(id, levels, values, hasZero, bitsPerWeight, scaleRule, newEstimator, newActivations);
    }
}
