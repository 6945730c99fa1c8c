package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.spi.Alphabet;

/**
 * Snapping to an alphabet with engine ops: normalised weights to codes (0 = smallest value) and
 * codes back to values. Packing stores the codes; training and {@code lowbit eval} both turn codes
 * into weights through {@link #values}, so a reloaded model computes bit-identical weights.
 *
 * <p>Constants are passed as float: DJL turns a Java double into a float64 scalar, which would
 * promote 0-dimensional (per-tensor) results to float64.
 */
public final class AlphabetCodes {

    private final Alphabet alphabet;
    private final double uniformStep;

    public AlphabetCodes(Alphabet alphabet) {
        this.alphabet = alphabet;
        this.uniformStep = alphabet.uniformStep();
    }

    /** The alphabet. */
    public Alphabet alphabet() {
        return alphabet;
    }

    /**
     * The code of every element's nearest value, as float32 integers in [0, k). Halfway cases go to
     * the larger value on unequal spacing and to the even code on equal spacing (round half to even).
     */
    public NDArray codes(NDArray normalized) {
        if (!Double.isNaN(uniformStep)) {
            return normalized.sub((float) alphabet.min()).div((float) uniformStep).round().clip(0, alphabet.levels() - 1);
        }
        // Unequal spacing: count the midpoints each value lies above.
        NDArray codes = normalized.zerosLike();
        for (int i = 1; i < alphabet.levels(); i++) {
            double midpoint = (alphabet.value(i - 1) + alphabet.value(i)) / 2;
            codes = codes.add(normalized.gt((float) midpoint).toType(DataType.FLOAT32, false));
        }
        return codes;
    }

    /** The alphabet value of every code (unscaled). */
    public NDArray values(NDArray codes) {
        if (!Double.isNaN(uniformStep)) {
            return codes.mul((float) uniformStep).add((float) alphabet.min());
        }
        NDArray table = codes.getManager().create(toFloats(alphabet.values()));
        return table.take(codes.toType(DataType.INT64, false));
    }

    /** Every element replaced by its nearest alphabet value (unscaled). */
    public NDArray snap(NDArray normalized) {
        return values(codes(normalized));
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
