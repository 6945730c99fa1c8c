package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.nn.StraightThrough;
import dev.lowbit.api.pack.RadixPacking;
import dev.lowbit.api.spi.Quantizer;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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
        // A factory's quantizer is named factory:parameters; only the factory name must be an id.
        String id = quantizer().id();
        String registered = id.contains(":") ? id.substring(0, id.indexOf(':')) : id;
        assertThat(PersistedIds.requireValid(registered)).isEqualTo(registered);
        assertThat(quantizer().spec()).startsWith(id);
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
    void putsEveryOutputOnTheAlphabetTimesItsScale() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            NDArray weights = randomWeights(64, 50);
            assertThat(quantizer.quantize(weights).toFloatArray()).containsExactly(weights.toFloatArray());
            return;
        }
        NDArray weights = randomWeights(64, 50);
        NDArray scale = quantizer.scale(weights);
        float[] onGrid = quantizer.quantize(weights, scale).div(scale).toFloatArray();
        double[] alphabet = quantizer.alphabet().orElseThrow().values();
        for (float value : onGrid) {
            assertThat(Arrays.stream(alphabet).anyMatch(a -> Math.abs(value - a) <= TOLERANCE * Math.max(1, Math.abs(a))))
                    .as("%s / scale = %s is on %s", quantizer.spec(), value, quantizer.alphabet().orElseThrow())
                    .isTrue();
        }
    }

    @Test
    void hasPositiveFloat32ScalesOnePerTensorOrPerOutputChannel() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray scale = quantizer.scale(randomWeights(12, 30));
        assertThat(scale.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
        assertThat(scale.size()).isEqualTo(quantizer.scaleCount(new long[] {12, 30}));
        for (float value : scale.toFloatArray()) {
            assertThat(value).isPositive();
        }
    }

    @Test
    void codesAreIntegersInRangeThatDecodeToTheQuantizedWeights() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray weights = randomWeights(9, 41);
        NDArray scale = quantizer.scale(weights);
        NDArray codes = quantizer.codes(weights, scale);
        assertThat(codes.getShape()).isEqualTo(weights.getShape());
        for (float code : codes.toFloatArray()) {
            code += 0f; // rounding may give -0.0, the same integer
            assertThat(code).isBetween(0f, quantizer.levels() - 1f).isEqualTo((float) Math.rint(code));
        }
        assertThat(quantizer.decode(codes, scale).toFloatArray())
                .containsExactly(quantizer.quantize(weights, scale).toFloatArray());
    }

    @Test
    void theStraightThroughForwardValueIsExactlyTheQuantizedWeights() {
        NDArray shadow = randomWeights(16, 24);
        assertThat(StraightThrough.quantize(shadow, quantizer(), manager).toFloatArray())
                .containsExactly(quantizer().quantize(shadow).toFloatArray());
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

    @ParameterizedTest(name = "{0} weights")
    @ValueSource(ints = {1, 7, 1001})
    void packsAndUnpacksItsCodesExactlyWithinTwoPercentOfLog2K(int size) {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray weights = randomWeights(size);
        float[] floats = quantizer.codes(weights, quantizer.scale(weights)).toFloatArray();
        int[] codes = new int[floats.length];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = (int) floats[i];
        }
        RadixPacking packing = RadixPacking.forLevels(quantizer.levels());

        byte[] packed = packing.pack(codes);

        assertThat(packing.unpack(packed, codes.length)).containsExactly(codes);
        assertThat(packed.length).isEqualTo(packing.packedBytes(codes.length));
        assertThat(packing.bitsPerCode()).isLessThanOrEqualTo(1.02 * quantizer.bitsPerWeight() + 1e-12);
        // Beyond the bound per code, a tensor wastes at most the padding of its last group and byte.
        assertThat(8.0 * packed.length).isLessThanOrEqualTo(packing.bitsPerCode() * size + packing.bitsPerGroup() + 8);
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
}
