package dev.lowbit.format.lbw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class CodeStatisticsTest {

    @Test
    void uniformUseOfKCodesCostsLog2KBits() {
        for (int levels = 2; levels <= 17; levels++) {
            int k = levels;
            int[] codes = IntStream.range(0, 1000 * k).map(i -> i % k).toArray();
            assertThat(CodeStatistics.entropyBits(codes, k))
                    .as("k=%d", k)
                    .isCloseTo(Math.log(k) / Math.log(2), within(1e-12));
        }
    }

    @Test
    void aConstantArrayCostsNothing() {
        assertThat(CodeStatistics.entropyBits(new int[] {2, 2, 2, 2}, 3)).isZero();
        assertThat(CodeStatistics.entropyBits(new int[0], 3)).isZero();
    }

    @Test
    void unusedCodesDoNotCount() {
        // p = 3/4, 1/4: H = 0.75 log2(4/3) + 0.25 log2(4) = 0.8113 bits, well below log2(5)
        assertThat(CodeStatistics.entropyBits(new int[] {0, 0, 0, 4}, 5)).isCloseTo(0.811278, within(1e-6));
    }

    @Test
    void countsEachCode() {
        assertThat(CodeStatistics.histogram(new int[] {1, 0, 1, 2, 1}, 4)).containsExactly(1, 3, 1, 0);
    }

    @Test
    void rejectsCodesOutsideTheAlphabet() {
        assertThatThrownBy(() -> CodeStatistics.histogram(new int[] {0, 5}, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Code at index 1 is 5, outside [0, 3)");
    }
}
