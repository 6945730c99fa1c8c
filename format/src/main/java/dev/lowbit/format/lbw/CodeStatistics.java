package dev.lowbit.format.lbw;

/**
 * How often each code occurs and the empirical entropy of a code array.
 *
 * <p>The entropy {@code H = -sum p_c log2 p_c} over the codes actually used is the bits per code an
 * ideal entropy coder would need for this very array, a lower tier than the alphabet's
 * {@code log2(k)} when the codes are unevenly used (a ternary layer that is mostly zeros).
 */
public final class CodeStatistics {

    private CodeStatistics() {}

    /** How many times each code in {@code [0, k)} occurs; element c counts code c. */
    public static long[] histogram(int[] codes, int levels) {
        if (levels < 1) {
            throw new IllegalArgumentException("A histogram needs at least 1 level, got " + levels);
        }
        long[] counts = new long[levels];
        for (int i = 0; i < codes.length; i++) {
            int code = codes[i];
            if (code < 0 || code >= levels) {
                throw new IllegalArgumentException(
                        "Code at index " + i + " is " + code + ", outside [0, " + levels + ")");
            }
            counts[code]++;
        }
        return counts;
    }

    /** The empirical entropy of the codes in bits per code; 0 for an empty or constant array. */
    public static double entropyBits(int[] codes, int levels) {
        return entropyBits(histogram(codes, levels));
    }

    /** The entropy in bits per draw of the distribution a histogram describes; 0 when it is empty. */
    public static double entropyBits(long[] histogram) {
        long total = 0;
        for (long count : histogram) {
            if (count < 0) {
                throw new IllegalArgumentException("A histogram count cannot be negative, got " + count);
            }
            total += count;
        }
        if (total == 0) {
            return 0;
        }
        double bits = 0;
        for (long count : histogram) {
            if (count > 0) {
                double p = (double) count / total;
                bits -= p * Math.log(p);
            }
        }
        // Rounding can leave -0.0 or a hair below 0 for a constant array.
        return Math.max(0, bits / Math.log(2));
    }
}
