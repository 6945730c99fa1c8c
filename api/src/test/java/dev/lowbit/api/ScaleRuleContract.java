package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every scale rule passes, built-in or third-party: extend this class and return your rule
 * from {@link #rule()}. It ships in lowbit-api's test-jar and runs on the real engine, on the weights of
 * every layer kind lowbit quantizes (a vector, a linear or attention projection, a conv kernel), for a
 * binary, a ternary and a 17-level alphabet, per tensor and per output channel.
 */
public abstract class ScaleRuleContract {

    private static final List<long[]> SHAPES = List.of(new long[] {64}, new long[] {12, 30}, new long[] {6, 3, 5, 5});
    private static final List<Alphabet> ALPHABETS =
            List.of(Alphabet.of(-1, 1), Alphabet.symmetricWithZero(3), Alphabet.symmetricWithZero(17));

    protected NDManager manager;

    /** The rule under test. */
    protected abstract ScaleRule rule();

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Gaussian weights like a freshly initialised layer's. */
    protected NDArray randomWeights(long... shape) {
        return manager.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32);
    }

    @Test
    void hasAValidStableId() {
        assertThat(PersistedIds.requireValid(rule().id())).isEqualTo(rule().id());
        assertThat(rule().description()).isNotBlank();
    }

    /**
     * Per tensor one scale, per channel one per output channel, broadcastable against the weights;
     * positive, finite float32; and per channel, each channel's scale is the one the rule gives that
     * channel's weights alone (so no axis is mixed up, whatever the rank).
     */
    @TestFactory
    Stream<DynamicTest> givesEachTensorOrChannelItsOwnPositiveScale() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Alphabet alphabet : ALPHABETS) {
            for (long[] shape : SHAPES) {
                for (Granularity granularity : java.util.List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
                    tests.add(DynamicTest.dynamicTest(alphabet + " " + granularity.id() + " " + Arrays.toString(shape),
                            () -> givesItsOwnScale(alphabet, shape, granularity)));
                }
            }
        }
        return tests.stream();
    }

    private void givesItsOwnScale(Alphabet alphabet, long[] shape, Granularity granularity) {
        NDArray weights = randomWeights(shape);
        NDArray scale = rule().scale(weights, alphabet, granularity);
        assertThat(scale.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(scale.size()).isEqualTo(granularity.scaleCount(shape));
        assertThat(weights.div(scale).getShape()).as("the scale broadcasts against the weights").isEqualTo(weights.getShape());
        float[] scales = scale.toFloatArray();
        for (float value : scales) {
            assertThat(value).isPositive().isFinite();
        }
        if (granularity == Granularity.CHANNEL && shape.length > 1) {
            for (int channel = 0; channel < shape[0]; channel++) {
                NDArray alone = weights.get(channel).expandDims(0);
                float own = rule().scale(alone, alphabet, Granularity.TENSOR).toFloatArray()[0];
                assertThat((double) scales[channel]).as("channel %d's scale", channel)
                        .isCloseTo(own, within(1e-3 * Math.abs(own)));
            }
        }
    }

    @Test
    void scalesWithTheWeights() {
        for (Alphabet alphabet : ALPHABETS) {
            NDArray weights = randomWeights(12, 30);
            float scale = rule().scale(weights, alphabet, Granularity.TENSOR).toFloatArray()[0];
            float scaled = rule().scale(weights.mul(8), alphabet, Granularity.TENSOR).toFloatArray()[0];
            assertThat((double) scaled).as("%s: scale(8 W) = 8 scale(W)", alphabet).isCloseTo(8.0 * scale, within(8e-3 * scale));
        }
    }

    @Test
    void givesAllZeroWeightsAPositiveFiniteScale() {
        for (Granularity granularity : java.util.List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
            NDArray zeros = manager.zeros(new Shape(4, 3, 3, 3));
            for (float value : rule().scale(zeros, Alphabet.symmetricWithZero(3), granularity).toFloatArray()) {
                assertThat(value).as(granularity.id()).isPositive().isFinite();
            }
        }
    }
}
