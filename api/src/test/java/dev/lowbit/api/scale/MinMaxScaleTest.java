package dev.lowbit.api.scale;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MinMaxScaleTest {

    private final MinMaxScale rule = new MinMaxScale();
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void mapsEachChannelsRangeOntoTheAlphabetsWithAnIntegerZeroPoint() {
        // Rows: [-0.25, 0.5] -> s = 0.75 / 3 = 0.25, z = 0 + 0.25 / 0.25 = 1;
        //       [-0.5, 1]    -> s = 1.5 / 3 = 0.5,   z = 0 + 0.5 / 0.5 = 1.
        NDArray w = manager.create(new float[] {-0.25f, 0f, 0.25f, 0.5f, -0.5f, -0.125f, 0.25f, 1f}, new Shape(2, 4));
        Alphabet twoBits = Alphabet.of(0, 1, 2, 3);

        NDArray scale = rule.scale(w, twoBits, Granularity.CHANNEL);
        NDArray zero = rule.zeroPoint(w, twoBits, Granularity.CHANNEL, scale);

        assertThat(scale.getShape()).isEqualTo(new Shape(2, 1));
        assertThat(scale.toFloatArray()).containsExactly(0.25f, 0.5f);
        assertThat(zero.getShape()).isEqualTo(new Shape(2, 1));
        assertThat(zero.toFloatArray()).containsExactly(1f, 1f);
        assertThat(rule.scale(w, twoBits, Granularity.TENSOR).getFloat()).isEqualTo(0.5f);
        assertThat(rule.affine()).isTrue();
    }

    @Test
    void roundsTheZeroPointToAPositiveZeroOnAnIntegerAlphabetAndKeepsItOtherwise() {
        // Ternary: s = (0.7 + 0.3) / 2 = 0.5, z = -1 + 0.3 / 0.5 = -0.4, rounded to 0 (not -0).
        NDArray w = manager.create(new float[] {-0.3f, 0f, 0.7f});
        NDArray scale = rule.scale(w, Alphabet.symmetricWithZero(3), Granularity.TENSOR);
        NDArray zero = rule.zeroPoint(w, Alphabet.symmetricWithZero(3), Granularity.TENSOR, scale);
        assertThat(scale.getFloat()).isEqualTo(0.5f);
        assertThat(Float.floatToRawIntBits(zero.getFloat())).isZero();

        Alphabet halves = Alphabet.of(-0.5, 0.5);
        NDArray halfScale = rule.scale(w, halves, Granularity.TENSOR);
        assertThat(halfScale.getFloat()).isEqualTo(1f);
        assertThat(rule.zeroPoint(w, halves, Granularity.TENSOR, halfScale).getFloat())
                .isEqualTo(-0.5f + 0.3f);
    }

    @Test
    void givesAllZeroWeightsTheSmallestScaleAndTheBottomLevelAsZeroPoint() {
        NDArray zeros = manager.zeros(new Shape(3, 4));
        NDArray scale = rule.scale(zeros, Alphabet.of(0, 1, 2, 3), Granularity.CHANNEL);
        assertThat(scale.toFloatArray()).containsOnly(1e-8f);
        assertThat(rule.zeroPoint(zeros, Alphabet.of(0, 1, 2, 3), Granularity.CHANNEL, scale)
                        .toFloatArray())
                .containsOnly(0f);
    }
}
