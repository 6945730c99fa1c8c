package dev.lowbit.format.lbw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RadixPackingTest {

    private static final int[] AWKWARD_COUNTS = {0, 1, 7, 1001, 100003};

    private static double log2(int k) {
        return Math.log(k) / Math.log(2);
    }

    private static int[] randomCodes(int count, int levels, long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, count).map(i -> random.nextInt(levels)).toArray();
    }

    private static void assertRoundTrip(RadixPacking packing, int[] codes) {
        byte[] packed = packing.pack(codes);
        assertThat((long) packed.length)
                .as("%s, %d codes", packing, codes.length)
                .isEqualTo(packing.packedBytes(codes.length));
        // The index of the first difference, so a failure does not print 100k codes.
        assertThat(Arrays.mismatch(packing.unpack(packed, codes.length), codes))
                .as("first wrong code, %s, %d codes", packing, codes.length)
                .isEqualTo(-1);
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17})
    void roundTripsRandomCodesExactlyForAwkwardCounts(int levels) {
        for (int count : AWKWARD_COUNTS) {
            assertRoundTrip(RadixPacking.forLevels(levels), randomCodes(count, levels, 42L * levels + count));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {31, 100, 255, 256, 257, 65537, Integer.MAX_VALUE})
    void roundTripsLargeAlphabets(int levels) {
        assertRoundTrip(RadixPacking.forLevels(levels), randomCodes(1001, levels, levels));
    }

    @Test
    void roundTripsTheLargestCodeInEveryPosition() {
        for (int levels = 2; levels <= 300; levels++) {
            int[] codes = new int[1001];
            Arrays.fill(codes, levels - 1);
            assertRoundTrip(RadixPacking.forLevels(levels), codes);
        }
    }

    @Test
    void roundTripsSixtyFourBitGroups() {
        RadixPacking fiftySix = RadixPacking.forLevels(56);
        assertThat(fiftySix.bitsPerGroup()).isEqualTo(64);
        assertThat(fiftySix.codesPerGroup()).isEqualTo(11);
        for (RadixPacking packing :
                new RadixPacking[] {fiftySix, RadixPacking.withGroupSize(2, 64), RadixPacking.withGroupSize(3, 40)}) {
            assertThat(packing.bitsPerGroup()).as("%s", packing).isEqualTo(64);
            int[] largest = new int[1001];
            Arrays.fill(largest, packing.levels() - 1);
            assertRoundTrip(packing, largest);
            for (int count : AWKWARD_COUNTS) {
                assertRoundTrip(packing, randomCodes(count, packing.levels(), count));
            }
        }
        int[] ones = new int[64];
        Arrays.fill(ones, 1);
        byte[] allSet = new byte[8];
        Arrays.fill(allSet, (byte) 0xFF);
        assertThat(RadixPacking.withGroupSize(2, 64).pack(ones)).isEqualTo(allSet);
    }

    @Test
    void packsFiveTernaryValuesPerByte() {
        RadixPacking fivePerByte = RadixPacking.withGroupSize(3, 5);
        assertThat(fivePerByte.bitsPerGroup()).isEqualTo(8);
        // 1 + 2*3 + 0*9 + 1*27 + 2*81 = 196; the second byte holds 2 padded with zeros.
        assertThat(fivePerByte.pack(new int[] {1, 2, 0, 1, 2, 2})).containsExactly((byte) 196, (byte) 2);
    }

    @Test
    void packsTernaryTwentyNineCodesInFortySixBits() {
        RadixPacking ternary = RadixPacking.forLevels(3);
        assertThat(ternary.codesPerGroup()).isEqualTo(29);
        assertThat(ternary.bitsPerGroup()).isEqualTo(46);
        assertThat(ternary.bitsPerCode()).isLessThanOrEqualTo(1.6);
        assertThat(ternary.packedBytes(29)).isEqualTo(6);
        assertThat(ternary.packedBytes(30)).isEqualTo(12);
    }

    @Test
    void writesTheBitStreamLeastSignificantBitFirst() {
        assertThat(RadixPacking.forLevels(2).pack(new int[] {1, 0, 0, 0, 0, 0, 0, 0, 0, 1}))
                .containsExactly((byte) 0x01, (byte) 0x02);
        // 3-bit fields from bit 0 up: 5 in bits 0-2, 6 in bits 3-5, 7 in bits 6-8 across the byte border.
        assertThat(RadixPacking.forLevels(8).pack(new int[] {5, 6, 7}))
                .containsExactly((byte) 0b11_110_101, (byte) 0b1);
    }

    @Test
    void storesPowersOfTwoInExactlyTheirBitWidth() {
        int[][] expected = {{2, 1}, {4, 2}, {8, 3}, {16, 4}, {256, 8}};
        for (int[] levelsAndBits : expected) {
            RadixPacking packing = RadixPacking.forLevels(levelsAndBits[0]);
            assertThat(packing.bitsPerCode()).as("%s", packing).isEqualTo(levelsAndBits[1]);
            assertThat(packing.codesPerGroup())
                    .as("ties go to the smallest group")
                    .isEqualTo(1);
        }
    }

    @Test
    void staysWithinTwoPercentOfLog2KForSmallAlphabets() {
        for (int levels : new int[] {2, 3, 4, 5, 8, 9, 16, 17}) {
            assertThat(RadixPacking.forLevels(levels).bitsPerCode())
                    .as("k=%d", levels)
                    .isLessThanOrEqualTo(1.02 * log2(levels));
        }
        assertThat(RadixPacking.forLevels(5).bitsPerCode()).isLessThanOrEqualTo(7.0 / 3);
    }

    @Test
    void choosesTheGroupWithTheFewestBitsPerCode() {
        int[] levelsToCheck = IntStream.concat(
                        IntStream.rangeClosed(2, 300),
                        IntStream.of(1000, 4095, 65535, 65536, 65537, 1 << 20, Integer.MAX_VALUE))
                .toArray();
        for (int levels : levelsToCheck) {
            RadixPacking chosen = RadixPacking.forLevels(levels);
            assertThat(chosen.bitsPerCode()).as("k=%d", levels).isGreaterThanOrEqualTo(log2(levels) - 1e-12);
            for (int g = 1; g <= 64 && RadixPacking.bitsFor(levels, g) <= 64; g++) {
                int b = RadixPacking.bitsFor(levels, g);
                // b/g >= chosen b/g, exactly; equal only for a larger g
                long lhs = (long) b * chosen.codesPerGroup();
                long rhs = (long) chosen.bitsPerGroup() * g;
                assertThat(lhs).as("k=%d g=%d", levels, g).isGreaterThanOrEqualTo(rhs);
                if (lhs == rhs) {
                    assertThat(g).as("k=%d tie", levels).isGreaterThanOrEqualTo(chosen.codesPerGroup());
                }
            }
        }
    }

    @Test
    void computesGroupWidthsExactly() {
        assertThat(RadixPacking.bitsFor(3, 5)).isEqualTo(8); // 243 <= 256
        assertThat(RadixPacking.bitsFor(3, 29)).isEqualTo(46);
        assertThat(RadixPacking.bitsFor(2, 64)).isEqualTo(64); // exactly 2^64
        assertThat(RadixPacking.bitsFor(3, 41)).isEqualTo(65); // too wide for a group, but exact
        assertThat(RadixPacking.bitsFor(3, 64)).isEqualTo(102);
        assertThat(RadixPacking.bitsFor(4, 3)).isEqualTo(6); // a power of two needs no extra bit
    }

    @Test
    void rejectsCodesOutsideTheAlphabet() {
        RadixPacking ternary = RadixPacking.forLevels(3);
        assertThatThrownBy(() -> ternary.pack(new int[] {0, 1, 3}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Code at index 2 is 3, outside [0, 3)");
        assertThatThrownBy(() -> ternary.pack(new int[] {-1})).hasMessage("Code at index 0 is -1, outside [0, 3)");
    }

    @Test
    void rejectsTooShortPackedArrays() {
        assertThatThrownBy(() -> RadixPacking.forLevels(3).unpack(new byte[5], 10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("10 codes of 3 levels need 6 packed bytes, got 5");
        assertThatThrownBy(() -> RadixPacking.forLevels(2).unpack(new byte[4], 2, 17))
                .hasMessage("17 codes of 2 levels need 3 packed bytes, got 2");
    }

    @Test
    void rejectsGroupValuesNoPackerWrites() {
        assertThatThrownBy(() -> RadixPacking.withGroupSize(3, 5).unpack(new byte[] {0, (byte) 243}, 10))
                .hasMessage("Group 1 holds a value of 3^5 or more; the packed bytes are damaged");
    }

    @Test
    void rejectsFewerThanTwoLevelsAndGroupsBeyondSixtyFourBits() {
        assertThatThrownBy(() -> RadixPacking.forLevels(1)).hasMessage("Packing needs at least 2 levels, got 1");
        assertThatThrownBy(() -> RadixPacking.withGroupSize(3, 41))
                .hasMessage("41 codes of 3 levels need 65 bits, more than the 64 a group may take");
        assertThatThrownBy(() -> RadixPacking.withGroupSize(2, 65)).hasMessage("A group holds 1 to 64 codes, got 65");
    }
}
