package dev.lowbit.api.spi;

import java.util.Arrays;

/**
 * The finite set of values a quantized weight may take, before scaling, e.g. {@code {-1, 0, 1}}.
 *
 * <p>The ideal storage cost of one weight drawn from an alphabet of k values is
 * <pre>    bits = log2(k)</pre>
 * so ternary costs 1.58 bits and quinary 2.32 bits.
 *
 * @param values the allowed values, strictly increasing; copied in
 */
public record Alphabet(double[] values) {

    public Alphabet {
        if (values == null || values.length < 2) {
            throw new IllegalArgumentException("An alphabet needs at least 2 values, got "
                    + (values == null ? "none" : Arrays.toString(values)));
        }
        values = values.clone();
        for (int i = 1; i < values.length; i++) {
            if (!(values[i] > values[i - 1])) {
                throw new IllegalArgumentException(
                        "Alphabet values must be strictly increasing, got " + Arrays.toString(values));
            }
        }
    }

    /** The alphabet of the given values, in increasing order. */
    public static Alphabet of(double... values) {
        return new Alphabet(values);
    }

    /** The symmetric integers {@code -(k-1)/2 .. (k-1)/2} for odd k, zero included. */
    public static Alphabet symmetricWithZero(int levels) {
        if (levels < 3 || levels % 2 == 0) {
            throw new IllegalArgumentException("Symmetric alphabets with zero need an odd level count >= 3, got "
                    + levels);
        }
        int half = (levels - 1) / 2;
        double[] values = new double[levels];
        for (int i = 0; i < levels; i++) {
            values[i] = i - half;
        }
        return new Alphabet(values);
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    /** The value at position {@code code}, 0 being the smallest. */
    public double value(int code) {
        return values[code];
    }

    /** The number of values k. */
    public int levels() {
        return values.length;
    }

    /** Whether zero is one of the values. */
    public boolean hasZero() {
        return Arrays.stream(values).anyMatch(v -> v == 0.0);
    }

    /** The ideal cost of one weight, {@code log2(k)} bits. */
    public double idealBits() {
        return Math.log(values.length) / Math.log(2);
    }

    /** The smallest value. */
    public double min() {
        return values[0];
    }

    /** The largest value. */
    public double max() {
        return values[values.length - 1];
    }

    /**
     * The common spacing when consecutive values are equally spaced, or NaN when they are not.
     * Equally spaced alphabets snap with one round-and-clip instead of k-1 comparisons.
     */
    public double uniformStep() {
        double step = values[1] - values[0];
        for (int i = 2; i < values.length; i++) {
            if (Math.abs(values[i] - values[i - 1] - step) > 1e-12) {
                return Double.NaN;
            }
        }
        return step;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Alphabet that && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                text.append(", ");
            }
            double v = values[i];
            text.append(v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v));
        }
        return text.append('}').toString();
    }
}
