package dev.lowbit.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The engine's intN@absmax/token against the definition, worked by hand. */
class IntegerInputsTest {

    @Test
    void eachTokenIsRoundedAtItsOwnScale() {
        // Two tokens of three features, feature-major with stride 2: token 0 = (7, -3.5, 1.75), token 1 = (14, 5, -3).
        float[] x = {7f, 14f, -3.5f, 5f, 1.75f, -3f};
        new IntegerInputs(4).quantize(x, 3, 2, 2);
        // 4 bits: levels -8..7, s = max|x| / 7 (exact here). Token 0: s = 1, x/s = 7, -3.5, 1.75 -> 7, -4 (ties
        // to even), 2. Token 1: s = 2, x/s = 7, 2.5, -1.5 -> 7, 2 (ties to even), -2 (ties to even).
        assertThat(new float[] {x[0], x[2], x[4]}).containsExactly(7f, -4f, 2f);
        assertThat(new float[] {x[1], x[3], x[5]}).containsExactly(14f, 4f, -4f);
    }

    @Test
    void aTokenOfZerosStaysZeroWithoutDividingByZero() {
        float[] x = {0f, -0f, 0f};
        new IntegerInputs(8).quantize(x, 3, 1, 1);
        assertThat(x).containsExactly(0f, 0f, 0f);
        assertThat(Float.floatToRawIntBits(x[1]))
                .as("+0, as training's rounding gives")
                .isZero();
    }

    @Test
    void bitsOutsideTwoToSixteenAreRefused() {
        assertThatThrownBy(() -> new IntegerInputs(1)).hasMessageContaining("2 to 16 bits");
        assertThatThrownBy(() -> new IntegerInputs(17)).hasMessageContaining("got 17");
    }
}
