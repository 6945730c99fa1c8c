package dev.lowbit.format.lbw;

import java.math.BigInteger;

/**
 * Packs integer codes in {@code [0, k)} radix-k, in fixed groups, into a little-endian bit stream.
 *
 * <p>g consecutive codes form one group value
 * <pre>    v = code_0 + code_1 * k + ... + code_(g-1) * k^(g-1)     (0 &lt;= v &lt; k^g)</pre>
 * stored in b bits, the smallest b with {@code k^g <= 2^b} (at most 64). Groups follow each other
 * in the stream, least significant bit first within bytes; a last partial group is padded with code
 * 0, and the unused bits of the last byte are 0. Radix grouping gets within a fraction of a bit of
 * the ideal {@code log2(k)} per code for any k, where fixed-width fields waste up to a whole bit
 * (3 levels in 2 bits cost 26% more than the 1.58 the alphabet needs).
 *
 * <p>{@link #forLevels(int)} picks the group size that minimises {@code b / g} within 64 bits.
 */
public final class RadixPacking {

    private final int levels;
    private final int codesPerGroup;
    private final int bitsPerGroup;

    private RadixPacking(int levels, int codesPerGroup, int bitsPerGroup) {
        this.levels = levels;
        this.codesPerGroup = codesPerGroup;
        this.bitsPerGroup = bitsPerGroup;
    }

    /** The packing of k levels with the fewest bits per code; ties go to the smaller group. */
    public static RadixPacking forLevels(int levels) {
        checkLevels(levels);
        int bestG = 1;
        int bestB = bitsFor(levels, 1);
        for (int g = 2; g <= 64; g++) {
            int b = bitsFor(levels, g);
            if (b > 64) {
                break;
            }
            // b / g < bestB / bestG, compared exactly
            if ((long) b * bestG < (long) bestB * g) {
                bestG = g;
                bestB = b;
            }
        }
        return new RadixPacking(levels, bestG, bestB);
    }

    /** The packing of k levels in groups of exactly {@code codesPerGroup} codes, e.g. 5 ternary codes per byte. */
    public static RadixPacking withGroupSize(int levels, int codesPerGroup) {
        int b = bitsFor(levels, codesPerGroup);
        if (b > 64) {
            throw new IllegalArgumentException(codesPerGroup + " codes of " + levels + " levels need " + b
                    + " bits, more than the 64 a group may take");
        }
        return new RadixPacking(levels, codesPerGroup, b);
    }

    /**
     * The exact bits a group of g codes of k levels needs: the smallest b with {@code k^g <= 2^b}.
     * It may exceed 64; such a group does not fit. Since {@code k >= 2}, g is at most 64.
     */
    public static int bitsFor(int levels, int codesPerGroup) {
        checkLevels(levels);
        if (codesPerGroup < 1 || codesPerGroup > 64) {
            throw new IllegalArgumentException("A group holds 1 to 64 codes, got " + codesPerGroup);
        }
        // k^g - 1 is the largest group value; its bit length is the field width.
        return BigInteger.valueOf(levels)
                .pow(codesPerGroup)
                .subtract(BigInteger.ONE)
                .bitLength();
    }

    private static void checkLevels(int levels) {
        if (levels < 2) {
            throw new IllegalArgumentException("Packing needs at least 2 levels, got " + levels);
        }
    }

    /** The number of levels k; codes lie in {@code [0, k)}. */
    public int levels() {
        return levels;
    }

    /** The number of codes g in one group. */
    public int codesPerGroup() {
        return codesPerGroup;
    }

    /** The number of bits b one group occupies in the stream. */
    public int bitsPerGroup() {
        return bitsPerGroup;
    }

    /** The stream cost of one code, {@code b / g} bits, padding of the last group aside. */
    public double bitsPerCode() {
        return (double) bitsPerGroup / codesPerGroup;
    }

    /** The exact number of bytes {@link #pack} produces for {@code count} codes. */
    public long packedBytes(long count) {
        if (count < 0) {
            throw new IllegalArgumentException("A code count cannot be negative, got " + count);
        }
        long groups = count / codesPerGroup + (count % codesPerGroup == 0 ? 0 : 1);
        long bits = Math.multiplyExact(groups, (long) bitsPerGroup);
        return bits / 8 + (bits % 8 == 0 ? 0 : 1);
    }

    /** The codes packed into a new array of {@link #packedBytes} bytes. */
    public byte[] pack(int[] codes) {
        long size = packedBytes(codes.length);
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(
                    codes.length + " codes pack into " + size + " bytes, more than one array holds");
        }
        byte[] out = new byte[(int) size];
        long bitPosition = 0;
        for (int start = 0; start < codes.length; start += codesPerGroup) {
            int end = Math.min(start + codesPerGroup, codes.length);
            // Horner from the highest code down. Every partial value is below k^g <= 2^64, so the
            // wrapping long arithmetic yields the exact value as an unsigned 64-bit number.
            long value = 0;
            for (int i = end - 1; i >= start; i--) {
                int code = codes[i];
                if (code < 0 || code >= levels) {
                    throw new IllegalArgumentException(
                            "Code at index " + i + " is " + code + ", outside [0, " + levels + ")");
                }
                value = value * levels + code;
            }
            // The missing high codes of a last partial group are the padding 0s and add nothing.
            writeBits(out, bitPosition, value, bitsPerGroup);
            bitPosition += bitsPerGroup;
        }
        return out;
    }

    /** The first {@code count} codes of a stream that {@link #pack} wrote. */
    public int[] unpack(byte[] packed, int count) {
        return unpack(packed, 0, count);
    }

    /**
     * The first {@code count} codes of a stream that starts at {@code offset} in {@code packed}.
     *
     * @throws IllegalArgumentException when fewer than {@link #packedBytes} bytes follow the
     *     offset, or a group holds a value of {@code k^g} or more (which no packer writes)
     */
    public int[] unpack(byte[] packed, int offset, int count) {
        if (count < 0 || offset < 0 || offset > packed.length) {
            throw new IllegalArgumentException(
                    "Bad unpack range: offset " + offset + ", count " + count + " in " + packed.length + " bytes");
        }
        long needed = packedBytes(count);
        if (packed.length - offset < needed) {
            throw new IllegalArgumentException(count + " codes of " + levels + " levels need " + needed
                    + " packed bytes, got " + (packed.length - offset));
        }
        int[] codes = new int[count];
        long bitPosition = (long) offset * 8;
        for (int start = 0; start < count; start += codesPerGroup) {
            long value = readBits(packed, bitPosition, bitsPerGroup);
            bitPosition += bitsPerGroup;
            int end = Math.min(start + codesPerGroup, count);
            for (int j = 0; j < codesPerGroup; j++) {
                int code;
                if (bitsPerGroup < 64) {
                    // The value is below 2^63: signed arithmetic is exact and faster.
                    code = (int) (value % levels);
                    value /= levels;
                } else {
                    code = (int) Long.remainderUnsigned(value, levels);
                    value = Long.divideUnsigned(value, levels);
                }
                if (start + j < end) {
                    codes[start + j] = code;
                }
            }
            if (value != 0) {
                throw new IllegalArgumentException("Group " + (start / codesPerGroup) + " holds a value of " + levels
                        + "^" + codesPerGroup + " or more; the packed bytes are damaged");
            }
        }
        return codes;
    }

    /** Ors the low {@code width} bits of {@code value} into the stream at {@code bitPosition}. */
    private static void writeBits(byte[] out, long bitPosition, long value, int width) {
        int index = (int) (bitPosition >>> 3);
        int offset = (int) (bitPosition & 7);
        int left = width;
        while (left > 0) {
            int take = Math.min(8 - offset, left);
            int chunk = (int) (value & ((1 << take) - 1));
            out[index] |= (byte) (chunk << offset);
            value >>>= take;
            left -= take;
            offset = 0;
            index++;
        }
    }

    /** The {@code width} bits at {@code bitPosition}, as an unsigned number. */
    private static long readBits(byte[] in, long bitPosition, int width) {
        int index = (int) (bitPosition >>> 3);
        int offset = (int) (bitPosition & 7);
        long value = 0;
        int got = 0;
        while (got < width) {
            int take = Math.min(8 - offset, width - got);
            int chunk = ((in[index] & 0xFF) >>> offset) & ((1 << take) - 1);
            value |= (long) chunk << got;
            got += take;
            offset = 0;
            index++;
        }
        return value;
    }

    @Override
    public String toString() {
        return "RadixPacking[k=" + levels + ", g=" + codesPerGroup + ", b=" + bitsPerGroup + "]";
    }
}
