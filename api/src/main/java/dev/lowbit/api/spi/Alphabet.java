package dev.lowbit.api.spi;

import java.util.Arrays;

/**
 * The finite set of values a quantized weight may take, before scaling, e.g. {@code {-1, 0, 1}}.
 *
 * <p>The ideal storage cost of one weight drawn from an alphabet of k values is
 * <pre>    bits = log2(k)</pre>
 * so ternary costs 1.58 bits and quinary 2.32 bits.
 *
 * <p>A value: immutable (the array is copied in and out), compared by its values, safe to share between
 * threads. A quantizer returns it from {@link Quantizer#alphabet()}; code c of a weight is the index of its
 * value, 0 being the smallest, which is what the packed file stores.
 *
 * @param values the allowed values, strictly increasing; copied in
 */
public record Alphabet(double[] values) {

    /**
     * An alphabet of these values.
     *
     * @param values the allowed values, at least two, strictly increasing; copied in
     * @throws IllegalArgumentException when there are fewer than two values or they do not strictly increase
     */
    public Alphabet {
        if (values == null || values.length < 2) {
            throw new IllegalArgumentException(
                    "An alphabet needs at least 2 values, got " + (values == null ? "none" : Arrays.toString(values)));
        }
        values = values.clone();
        for (int i = 1; i < values.length; i++) {
            if (!(values[i] > values[i - 1])) {
                throw new IllegalArgumentException(
                        "Alphabet values must be strictly increasing, got " + Arrays.toString(values));
            }
        }
    }

    /**
     * The alphabet of the given values, in increasing order.
     *
     * @param values at least two values, strictly increasing, e.g. {@code of(-4, -3, -2, -1, 0, 1, 2, 3)}
     * @return the alphabet
     * @throws IllegalArgumentException when there are fewer than two values or they do not strictly increase
     */
    public static Alphabet of(double... values) {
        return new Alphabet(values);
    }

    /**
     * The symmetric integers {@code -(k-1)/2 .. (k-1)/2} for odd k, zero included, e.g. {@code {-1, 0, 1}}.
     *
     * @param levels k, odd and at least 3
     * @return the alphabet
     * @throws IllegalArgumentException when {@code levels} is even or below 3
     */
    public static Alphabet symmetricWithZero(int levels) {
        if (levels < 3 || levels % 2 == 0) {
            throw new IllegalArgumentException(
                    "Symmetric alphabets with zero need an odd level count >= 3, got " + levels);
        }
        int half = (levels - 1) / 2;
        double[] values = new double[levels];
        for (int i = 0; i < levels; i++) {
            values[i] = i - half;
        }
        return new Alphabet(values);
    }

    /**
     * The symmetric non-zero integers {@code ±1 .. ±k/2} for even k, e.g. {@code {-2, -1, 1, 2}}: the
     * zero-free partner of {@link #symmetricWithZero(int) symmetricWithZero(k + 1)}, which has the same
     * values plus zero.
     *
     * @param levels k, even and at least 2
     * @return the alphabet
     * @throws IllegalArgumentException when {@code levels} is odd or below 2
     */
    public static Alphabet symmetricWithoutZero(int levels) {
        if (levels < 2 || levels % 2 != 0) {
            throw new IllegalArgumentException(
                    "Symmetric alphabets without zero need an even level count >= 2, got " + levels);
        }
        int half = levels / 2;
        double[] values = new double[levels];
        for (int i = 0; i < half; i++) {
            values[i] = i - half;
            values[half + i] = i + 1;
        }
        return new Alphabet(values);
    }

    /**
     * Parses comma-separated values in any order, e.g. {@code -2,-1,1,2}; duplicates are an error.
     *
     * @param text finite numbers separated by commas, as a {@code levels:} spec writes them
     * @return the alphabet of those values, sorted
     * @throws IllegalArgumentException for a part that is not a finite number, a value given twice, or fewer
     *     than two values, with a message saying which and giving an example
     */
    public static Alphabet parse(String text) {
        String[] parts = text.split(",", -1);
        double[] values = new double[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                values[i] = Double.parseDouble(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + parts[i].trim() + "' is not a number; write the values"
                        + " separated by commas, e.g. levels:-2,-1,1,2");
            }
            if (!Double.isFinite(values[i])) {
                throw new IllegalArgumentException("value '" + parts[i].trim() + "' is not finite");
            }
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("value " + format(sorted[i]) + " appears twice");
            }
        }
        if (sorted.length < 2) {
            throw new IllegalArgumentException("an alphabet needs at least 2 values, e.g. levels:-1,1");
        }
        return new Alphabet(sorted);
    }

    /**
     * The values comma-separated in increasing order, as {@link #parse} reads them.
     *
     * @return e.g. {@code -2,-1,1,2}; integers without a decimal point
     */
    public String toSpec() {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            text.append(i > 0 ? "," : "").append(format(values[i]));
        }
        return text.toString();
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15
                ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    /**
     * The allowed values.
     *
     * @return a copy of the values, strictly increasing
     */
    @Override
    public double[] values() {
        return values.clone();
    }

    /**
     * The value at position {@code code}, 0 being the smallest.
     *
     * @param code a code in {@code [0, k)}
     * @return its value before scaling
     * @throws ArrayIndexOutOfBoundsException for a code outside {@code [0, k)}
     */
    public double value(int code) {
        return values[code];
    }

    /**
     * The number of values.
     *
     * @return k, at least 2
     */
    public int levels() {
        return values.length;
    }

    /**
     * Whether zero is one of the values.
     *
     * @return true when a weight can be exactly zero
     */
    public boolean hasZero() {
        return Arrays.stream(values).anyMatch(v -> v == 0.0);
    }

    /**
     * The ideal cost of one weight.
     *
     * @return {@code log2(k)} bits, e.g. 1.58 for ternary
     */
    public double idealBits() {
        return Math.log(values.length) / Math.log(2);
    }

    /**
     * The smallest value.
     *
     * @return the value of code 0
     */
    public double min() {
        return values[0];
    }

    /**
     * The largest value.
     *
     * @return the value of code k - 1
     */
    public double max() {
        return values[values.length - 1];
    }

    /**
     * The common spacing when consecutive values are equally spaced, or NaN when they are not.
     * Equally spaced alphabets snap with one round-and-clip instead of k-1 comparisons.
     *
     * @return the step between consecutive values, or NaN
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

    /**
     * The values for people: runs of six or more consecutive integers shortened.
     *
     * @return e.g. {@code {-1, 0, 1}} or {@code {-8..-1, 1..8}}
     */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("{");
        int i = 0;
        while (i < values.length) {
            int end = i;
            while (end + 1 < values.length && values[i] == Math.rint(values[i]) && values[end + 1] == values[end] + 1) {
                end++;
            }
            text.append(i > 0 ? ", " : "");
            if (end - i + 1 >= 6) {
                text.append(format(values[i])).append("..").append(format(values[end]));
                i = end + 1;
            } else {
                text.append(format(values[i]));
                i++;
            }
        }
        return text.append('}').toString();
    }
}
