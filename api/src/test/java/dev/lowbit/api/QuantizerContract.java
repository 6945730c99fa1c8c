package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.nn.StraightThrough;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Arrays;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every quantizer passes, built-in or third-party: extend this class and return your
 * quantizer from {@link #quantizer()}. It ships in lowbit-api's test-jar and runs on the real engine.
 */
public abstract class QuantizerContract {

    /** Relative tolerance for float32 round-off when comparing scaled values. */
    private static final double TOLERANCE = 1e-4;

    protected NDManager manager;

    /** The quantizer under test. */
    protected abstract Quantizer quantizer();

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(7);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Gaussian weights like a freshly initialised layer's. */
    protected NDArray randomWeights(long... shape) {
        return manager.randomNormal(0, 0.05f, new Shape(shape), ai.djl.ndarray.types.DataType.FLOAT32);
    }

    @Test
    void hasAValidStableId() {
        assertThat(PersistedIds.requireValid(quantizer().id())).isEqualTo(quantizer().id());
    }

    @Test
    void reportsLog2OfItsLevelCountAsBits() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            assertThat(quantizer.bitsPerWeight()).isEqualTo(32.0);
            assertThat(quantizer.levels()).isZero();
        } else {
            int k = quantizer.alphabet().orElseThrow().levels();
            assertThat(quantizer.levels()).isEqualTo(k);
            assertThat(quantizer.bitsPerWeight()).isCloseTo(Math.log(k) / Math.log(2), within(1e-12));
        }
    }

    @Test
    void keepsTheShape() {
        NDArray weights = randomWeights(7, 13);
        assertThat(quantizer().quantize(weights).getShape()).isEqualTo(weights.getShape());
    }

    @Test
    void putsEveryOutputOnTheAlphabetTimesOneScale() {
        Quantizer quantizer = quantizer();
        float[] output = quantizer.quantize(randomWeights(64, 50)).toFloatArray();
        if (quantizer.isFullPrecision()) {
            return;
        }
        Alphabet alphabet = quantizer.alphabet().orElseThrow();
        TreeSet<Double> distinct = new TreeSet<>();
        for (float v : output) {
            distinct.add((double) v);
        }
        assertThat(distinct.size()).isLessThanOrEqualTo(alphabet.levels());
        assertThat(findScale(distinct, alphabet))
                .as("a scale s > 0 with every output / s in %s; outputs %s", alphabet, distinct)
                .isPositive();
    }

    @Test
    void isIdempotentAtAFixedScale() {
        NDArray weights = randomWeights(33, 9);
        NDArray scale = quantizer().scale(weights);
        NDArray once = quantizer().quantize(weights, scale);
        NDArray twice = quantizer().quantize(once, scale);
        assertThat(twice.toFloatArray()).usingElementComparator(this::compareClose).containsExactly(
                toObjects(once.toFloatArray()));
    }

    @Test
    void passesTheGradientStraightThroughToTheShadowWeights() {
        NDArray shadow = randomWeights(16, 24);
        shadow.setRequiresGradient(true);
        NDArray upstream = manager.randomUniform(-1, 1, shadow.getShape());
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray quantized = StraightThrough.quantize(shadow, quantizer(), manager);
            tape.backward(quantized.mul(upstream).sum());
        }
        assertThat(shadow.getGradient().toFloatArray()).containsExactly(upstream.toFloatArray());
    }

    private int compareClose(Float a, Float b) {
        return Math.abs(a - b) <= TOLERANCE * Math.max(1e-6, Math.max(Math.abs(a), Math.abs(b))) ? 0 : Float.compare(a, b);
    }

    private static Float[] toObjects(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }

    /** A scale s with every distinct output / s on the alphabet, or 0 if there is none. */
    private static double findScale(TreeSet<Double> outputs, Alphabet alphabet) {
        double probe = outputs.stream().filter(v -> v != 0).findFirst().orElse(0.0);
        if (probe == 0) {
            return alphabet.hasZero() ? 1 : 0;
        }
        for (double value : alphabet.values()) {
            double scale = probe / value;
            if (value == 0 || scale <= 0) {
                continue;
            }
            boolean allOnGrid = outputs.stream().allMatch(out -> Arrays.stream(alphabet.values())
                    .anyMatch(a -> Math.abs(out / scale - a) <= TOLERANCE * Math.max(1, Math.abs(a))));
            if (allOnGrid) {
                return scale;
            }
        }
        return 0;
    }
}
