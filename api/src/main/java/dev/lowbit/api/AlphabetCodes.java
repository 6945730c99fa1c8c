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
            return uniformCodes(normalized.sub((float) alphabet.min()));
        }
        return midpointCodes(normalized);
    }

    /**
     * {@link #codes} of an array the caller owns and no longer needs (e.g. a fresh {@code W / s}),
     * which it may overwrite: the same values with one array fewer allocated.
     */
    public NDArray codesOverwriting(NDArray normalized) {
        if (!Double.isNaN(uniformStep)) {
            return uniformCodes(normalized.subi((float) alphabet.min()));
        }
        return midpointCodes(normalized);
    }

    /** Codes from {@code normalized - min}, which is overwritten; dividing by a step of 1 is skipped (exact). */
    private NDArray uniformCodes(NDArray shifted) {
        if (uniformStep != 1) {
            shifted.divi((float) uniformStep);
        }
        return shifted.round().clip(0, alphabet.levels() - 1);
    }

    private NDArray midpointCodes(NDArray normalized) {
        // Unequal spacing: count the midpoints each value lies above.
        NDArray codes = normalized.zerosLike();
        for (int i = 1; i < alphabet.levels(); i++) {
            double midpoint = (alphabet.value(i - 1) + alphabet.value(i)) / 2;
            codes = codes.add(normalized.gt((float) midpoint).toType(DataType.FLOAT32, false));
        }
        return codes;
    }

    /** {@link #values} of codes the caller may let be overwritten (e.g. fresh from {@link #codes}). */
    public NDArray valuesOverwriting(NDArray codes) {
        if (uniformStep == 1) {
            return codes.addi((float) alphabet.min());
        }
        if (!Double.isNaN(uniformStep)) {
            return codes.muli((float) uniformStep).addi((float) alphabet.min());
        }
        return values(codes);
    }

    /** The alphabet value of every code (unscaled). */
    public NDArray values(NDArray codes) {
        if (!Double.isNaN(uniformStep)) {
            // codes * step + min; multiplying by a step of 1 is skipped (it is exact).
            return uniformStep == 1 ? codes.add((float) alphabet.min())
                    : codes.mul((float) uniformStep).addi((float) alphabet.min());
        }
        NDArray table = codes.getManager().create(toFloats(alphabet.values()));
        return table.take(codes.toType(DataType.INT64, false));
    }

    /** Every element replaced by its nearest alphabet value (unscaled). */
    public NDArray snap(NDArray normalized) {
        return values(codes(normalized));
    }

    /** {@link #snap} of an array the caller may let be overwritten (see {@link #codesOverwriting}). */
    public NDArray snapOverwriting(NDArray normalized) {
        return valuesOverwriting(codesOverwriting(normalized));
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
