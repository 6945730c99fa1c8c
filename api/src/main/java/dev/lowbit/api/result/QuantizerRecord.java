package dev.lowbit.api.result;

import java.util.List;

/**
 * What a run's quantizer was, stored so a report never needs the plugin that made it.
 *
 * @param id quantizer id
 * @param levels number of allowed values k; 0 for full precision
 * @param values the allowed values (before scaling); empty for full precision
 * @param hasZero whether zero is among the values
 * @param bitsPerWeight ideal bits per quantized weight, log2(k); 32 for full precision
 * @param scaleRule how floats are mapped onto the values, e.g. {@code absmean per-tensor}
 */
public record QuantizerRecord(
        String id, int levels, List<Double> values, boolean hasZero, double bitsPerWeight, String scaleRule) {

    public QuantizerRecord {
        values = List.copyOf(values);
    }
}
