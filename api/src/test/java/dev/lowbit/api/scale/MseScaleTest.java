package dev.lowbit.api.scale;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import java.util.List;
import org.assertj.core.data.Percentage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The two implementations of the per-tensor search (Java for small tensors, engine ops above) agree. */
class MseScaleTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    static List<Alphabet> alphabets() {
        return List.of(
                Alphabet.symmetricWithZero(3),
                Alphabet.symmetricWithZero(5),
                Alphabet.symmetricWithZero(17),
                Alphabet.symmetricWithoutZero(2),
                Alphabet.symmetricWithoutZero(4),
                Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
    }

    @ParameterizedTest
    @MethodSource("alphabets")
    void theJavaSearchFindsTheScaleTheEngineSearchFinds(Alphabet alphabet) {
        for (Shape shape : List.of(new Shape(48, 48), new Shape(96, 48), new Shape(10, 3, 3))) {
            NDArray gaussian = manager.randomNormal(0, 0.05f, shape, DataType.FLOAT32);
            NDArray heavyTailed = gaussian.pow(3).mul(400f);
            for (NDArray weights : List.of(gaussian, heavyTailed)) {
                float engine = MseScale.searchWithEngineOps(weights, alphabet, Granularity.TENSOR)
                        .getFloat();
                float java = MseScale.searchInJava(weights.toFloatArray(), alphabet);
                // The sums run in another order (and W / s is W * (1 / s)): the last bits may differ.
                assertThat(java).as("%s %s", alphabet, shape).isCloseTo(engine, Percentage.withPercentage(1e-3));
            }
        }
    }

    @Test
    void smallTensorsAreSearchedInJavaAndLargeOnesWithEngineOps() {
        MseScale rule = new MseScale();
        Alphabet ternary = Alphabet.symmetricWithZero(3);
        NDArray small = manager.randomNormal(new Shape(64, 64));
        NDArray large = manager.randomNormal(new Shape(256, 256));
        assertThat(small.size()).isLessThanOrEqualTo(MseScale.SEARCHED_IN_JAVA_UP_TO);
        assertThat(large.size()).isGreaterThan(MseScale.SEARCHED_IN_JAVA_UP_TO);
        assertThat(rule.scale(small, ternary, Granularity.TENSOR).getFloat())
                .isEqualTo(MseScale.searchInJava(small.toFloatArray(), ternary));
        assertThat(rule.scale(large, ternary, Granularity.TENSOR).getFloat())
                .isEqualTo(MseScale.searchWithEngineOps(large, ternary, Granularity.TENSOR)
                        .getFloat());
    }

    @Test
    void anAllZeroTensorGetsTheSmallestScaleEitherWay() {
        NDArray zeros = manager.zeros(new Shape(32, 32));
        Alphabet ternary = Alphabet.symmetricWithZero(3);
        assertThat(MseScale.searchInJava(zeros.toFloatArray(), ternary)).isEqualTo(ScaleMath.MIN_SCALE);
        assertThat(MseScale.searchWithEngineOps(zeros, ternary, Granularity.TENSOR)
                        .getFloat())
                .isEqualTo(ScaleMath.MIN_SCALE);
    }
}
