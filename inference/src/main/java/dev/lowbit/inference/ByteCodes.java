package dev.lowbit.inference;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a byte of g radix-k codes holds, worked out once per alphabet and shared by every matrix on it (a
 * transformer has twenty small matrices on one alphabet; a copy each would outweigh their codes): each byte value's
 * digits, a mask per level of the digits that are that level, and the digits' level values. Tables nothing
 * compares: the record's equality is its arrays' identity, and the cache keys by alphabet.
 *
 * @param perByte g, the codes per byte: the largest with {@code k^g <= 256}
 * @param values k^g, the byte values a group can hold
 * @param digits digit i of byte value v at {@code v * perByte + i}
 * @param levelMasks bit i of entry {@code v * k + c} set when digit i of v is c
 * @param digitLevels the level value of digit i of v at {@code v * perByte + i}
 */
record ByteCodes(int perByte, int values, byte[] digits, byte[] levelMasks, float[] digitLevels) {

    private static final Map<List<Float>, ByteCodes> SHARED = new ConcurrentHashMap<>();

    /** The tables of the alphabet whose level values are {@code levels} (k = its length, at most 256). */
    static ByteCodes of(float[] levels) {
        Float[] key = new Float[levels.length];
        for (int c = 0; c < levels.length; c++) {
            key[c] = levels[c];
        }
        return SHARED.computeIfAbsent(List.of(key), unused -> build(levels.clone()));
    }

    private static ByteCodes build(float[] levels) {
        int k = levels.length;
        int g = 1;
        while (power(k, g + 1) <= 256) {
            g++;
        }
        int values = power(k, g);
        byte[] digits = new byte[values * g];
        byte[] levelMasks = new byte[values * k];
        float[] digitLevels = new float[values * g];
        for (int v = 0; v < values; v++) {
            for (int i = 0, rest = v; i < g; i++, rest /= k) {
                int digit = rest % k;
                digits[v * g + i] = (byte) digit;
                levelMasks[v * k + digit] |= (byte) (1 << i);
                digitLevels[v * g + i] = levels[digit];
            }
        }
        return new ByteCodes(g, values, digits, levelMasks, digitLevels);
    }

    private static int power(int base, int exponent) {
        int value = 1;
        for (int i = 0; i < exponent; i++) {
            value *= base;
        }
        return value;
    }
}
