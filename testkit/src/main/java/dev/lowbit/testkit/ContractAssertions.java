package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Assertions the contract kit shares, written so that a failure says which element went wrong and
 * what the plugin must fix, rather than printing two arrays of hundreds of floats.
 */
final class ContractAssertions {

    private ContractAssertions() {}

    /**
     * Fails unless {@code actual} and {@code expected} hold the same float32 bits, element by element
     * ({@code -0} and {@code +0} differ: the packed file reproduces the sign too).
     *
     * @param what the claim, e.g. "ternary@mse/tensor on [12, 30]: quantize(W, s, EVALUATION) equals
     *     quantize(W, s)", then what to fix
     */
    static void assertSameBits(float[] actual, float[] expected, String what) {
        if (actual.length != expected.length) {
            fail(what + "; got " + actual.length + " values, expected " + expected.length);
        }
        int first = -1;
        int differing = 0;
        for (int i = 0; i < actual.length; i++) {
            if (Float.floatToIntBits(actual[i]) != Float.floatToIntBits(expected[i])) {
                differing++;
                first = first < 0 ? i : first;
            }
        }
        if (differing > 0) {
            fail(what + "; " + differing + " of " + actual.length + " values differ, the first at index " + first
                    + ": got " + describe(actual[first]) + ", expected " + describe(expected[first]));
        }
    }

    /** Fails unless every value is finite (no NaN, no infinity). */
    static void assertFinite(float[] values, String what) {
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                fail(what + " must be finite, but value " + i + " of " + values.length + " is " + values[i]);
            }
        }
    }

    /** Fails unless every value is finite and at least one is not zero. */
    static void assertFiniteAndNotAllZero(float[] values, String what) {
        assertFinite(values, what);
        if (values.length > 0 && Arrays.equals(values, new float[values.length])) {
            fail(what + " is zero everywhere (" + values.length + " values), so it would never train");
        }
    }

    /** Fails unless {@code array} is float32 and has {@code expected} shape. */
    static void assertFloat32OfShape(NDArray array, Shape expected, String what) {
        if (array == null) {
            fail(what + " returned null");
        }
        if (array.getDataType() != ai.djl.ndarray.types.DataType.FLOAT32) {
            fail(what + " must be float32, got " + array.getDataType());
        }
        if (!array.getShape().equals(expected)) {
            fail(what + " must have shape " + expected + ", got " + array.getShape());
        }
    }

    /** Whether an array of shape {@code small} broadcasts into {@code big} without changing its shape. */
    static boolean broadcastsInto(Shape small, Shape big) {
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

    /**
     * Fails unless each value lies, within float32 round-off, on one of the values its position may take:
     * {@code candidates[c][i]} is what position i decodes to with code c.
     */
    static void assertOnGrid(float[] values, float[][] candidates, String what) {
        for (int i = 0; i < values.length; i++) {
            double largest = 0;
            for (float[] candidate : candidates) {
                largest = Math.max(largest, Math.abs(candidate[i]));
            }
            // Relative to the largest level at that position: a few ulps of the scaled alphabet.
            double tolerance = 1e-4 * largest + Float.MIN_NORMAL;
            boolean found = false;
            for (int c = 0; c < candidates.length && !found; c++) {
                found = Math.abs(values[i] - candidates[c][i]) <= tolerance;
            }
            if (!found) {
                float[] options = new float[candidates.length];
                for (int c = 0; c < candidates.length; c++) {
                    options[c] = candidates[c][i];
                }
                fail(what + "; value " + i + " is " + values[i] + ", not one of the " + candidates.length
                        + " values its position decodes to: " + Arrays.toString(options));
            }
        }
    }

    private static String describe(float value) {
        return value + " (bits 0x" + Integer.toHexString(Float.floatToRawIntBits(value)) + ")";
    }
}
