package dev.lowbit.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.QuantizationContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuantizerRandomTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void theSameSeedDrawsTheSameNumbersAndAnotherSeedOthers() {
        float[] first = new QuantizerRandom(7).uniform(manager, new Shape(3, 5)).toFloatArray();
        float[] again = new QuantizerRandom(7).uniform(manager, new Shape(3, 5)).toFloatArray();
        float[] other = new QuantizerRandom(8).uniform(manager, new Shape(3, 5)).toFloatArray();

        assertThat(again).containsExactly(first);
        assertThat(other).isNotEqualTo(first);
    }

    @Test
    void restoringASavedStateDrawsWhatFollowedIt() {
        QuantizerRandom random = new QuantizerRandom(11);
        random.uniform(manager, new Shape(4));
        long saved = random.state();
        float[] next = random.uniform(manager, new Shape(2, 3)).toFloatArray();

        QuantizerRandom resumed = new QuantizerRandom(0);
        resumed.restore(saved);

        assertThat(resumed.uniform(manager, new Shape(2, 3)).toFloatArray()).containsExactly(next);
        assertThat(resumed.state()).isEqualTo(random.state());
    }

    @Test
    void drawsOneNumberPerElementInRowMajorOrder() {
        float[] whole = new QuantizerRandom(5).uniform(manager, new Shape(2, 3)).toFloatArray();
        QuantizerRandom split = new QuantizerRandom(5);
        float[] firstRow = split.uniform(manager, new Shape(3)).toFloatArray();
        float[] secondRow = split.uniform(manager, new Shape(1, 3)).toFloatArray();

        assertThat(whole)
                .containsExactly(firstRow[0], firstRow[1], firstRow[2], secondRow[0], secondRow[1], secondRow[2]);
    }

    @Test
    void drawsFloat32UniformlyInTheHalfOpenUnitInterval() {
        var draws = new QuantizerRandom(3).uniform(manager, new Shape(100_000));

        assertThat(draws.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(draws.min().getFloat()).isGreaterThanOrEqualTo(0f);
        assertThat(draws.max().getFloat()).isLessThan(1f);
        assertThat(draws.mean().getFloat()).isBetween(0.49f, 0.51f);
        assertThat(draws.lt(0.25f).toType(DataType.FLOAT32, false).mean().getFloat())
                .isBetween(0.24f, 0.26f);
    }

    @Test
    void aTrainingContextDrawsFromTheGeneratorAndAnEvaluationContextRefuses() {
        QuantizerRandom random = new QuantizerRandom(9);
        float[] expected = new QuantizerRandom(9).uniform(manager, new Shape(4)).toFloatArray();

        QuantizationContext training = random.context(true);
        QuantizationContext evaluation = random.context(false);

        assertThat(training.training()).isTrue();
        assertThat(training.uniform(manager, new Shape(4)).toFloatArray()).containsExactly(expected);
        assertThat(evaluation.training()).isFalse();
        assertThatThrownBy(() -> evaluation.uniform(manager, new Shape(4)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("A quantizer drew random numbers outside training; evaluation, export and the packed file"
                        + " must be deterministic (round to nearest when training() is false).");
    }
}
