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
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract every quantizer passes, built-in or third-party: extend this class and return your
 * quantizer from {@link #quantizer()}. It ships in lowbit-api's test-jar and runs on the real engine.
 *
 * <p>Weights come in the shapes lowbit's layers have: a vector (64), a linear or attention projection
 * (12, 30) and a conv kernel (6, 3, 5, 5), each per tensor and, for a quantizer that takes other scale
 * rules (an {@link AlphabetQuantizer}), per output channel too. {@link Quantizer#withScaleRule} must give
 * the quantizer's own class with the requested spec, computing exactly as the quantizer itself does.
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
    void namesItsScaleRuleAsRuleSlashGranularity() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            assertThat(quantizer.spec()).isEqualTo(quantizer.id());
            return;
        }
        // The text after '@' in every stored spec: a rule id and tensor or channel, e.g. mse/tensor.
        assertThat(quantizer.scaleRule()).matches("[a-z][a-z0-9.-]*/(tensor|channel)");
        assertThat(quantizer.spec()).isEqualTo(quantizer.id() + "@" + quantizer.scaleRule());
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

    /** The weight shapes of lowbit's layers: a vector, a linear weight, a conv kernel. */
    private static final List<long[]> SHAPES = List.of(new long[] {64}, new long[] {12, 30}, new long[] {6, 3, 5, 5});

    /**
     * Every shape of {@link #SHAPES}, for the quantizer and, for one that takes other rules, its rule per
     * output channel (or per tensor, when it is per channel already): shape kept, the straight-through
     * value exact, positive scales (one per tensor or per channel) that broadcast, codes in range that
     * decode exactly, outputs on the alphabet times the scale.
     */
    @TestFactory
    Stream<DynamicTest> quantizesEveryLayerShapeOntoItsAlphabetWithCodesThatDecodeExactly() {
        List<Quantizer> variants = new ArrayList<>(List.of(quantizer()));
        if (quantizer() instanceof AlphabetQuantizer alphabetQuantizer) {
            ScaleSetting own = alphabetQuantizer.scaleSetting();
            Granularity other = own.granularity() == Granularity.TENSOR ? Granularity.CHANNEL : Granularity.TENSOR;
            variants.add(alphabetQuantizer.withScaleRule(new ScaleSetting(own.rule(), other)));
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Quantizer variant : variants) {
            for (long[] shape : SHAPES) {
                tests.add(DynamicTest.dynamicTest(variant.spec() + " on " + Arrays.toString(shape),
                        () -> quantizesOntoItsAlphabet(variant.spec(), shape, variant)));
            }
        }
        return tests.stream();
    }

    private void quantizesOntoItsAlphabet(String spec, long[] shape, Quantizer quantizer) {
        NDArray weights = randomWeights(shape);
        NDArray quantized = quantizer.quantize(weights);
        assertThat(quantized.getShape()).as(spec).isEqualTo(weights.getShape());
        assertThat(StraightThrough.quantize(weights, quantizer, manager).toFloatArray()).as(spec)
                .containsExactly(quantized.toFloatArray());
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray scale = quantizer.scale(weights);
        assertThat(scale.getDataType()).isEqualTo(ai.djl.ndarray.types.DataType.FLOAT32);
        assertThat(scale.size()).as("%s: scales for %s", spec, Arrays.toString(shape)).isEqualTo(quantizer.scaleCount(shape));
        assertThat(weights.div(scale).getShape()).as("%s: the scale broadcasts against the weights", spec)
                .isEqualTo(weights.getShape());
        for (float value : scale.toFloatArray()) {
            assertThat(value).as(spec).isPositive().isFinite();
        }
        NDArray codes = quantizer.codes(weights, scale);
        assertThat(codes.getShape()).isEqualTo(weights.getShape());
        for (float code : codes.toFloatArray()) {
            code += 0f;
            assertThat(code).as(spec).isBetween(0f, quantizer.levels() - 1f).isEqualTo((float) Math.rint(code));
        }
        assertThat(quantizer.decode(codes, scale).toFloatArray()).as(spec)
                .containsExactly(quantizer.quantize(weights, scale).toFloatArray());
        float[] onGrid = quantizer.quantize(weights, scale).div(scale).toFloatArray();
        double[] alphabet = quantizer.alphabet().orElseThrow().values();
        for (float value : onGrid) {
            assertThat(Arrays.stream(alphabet).anyMatch(a -> Math.abs(value - a) <= TOLERANCE * Math.max(1, Math.abs(a))))
                    .as("%s / scale = %s is on %s", spec, value, quantizer.alphabet().orElseThrow()).isTrue();
        }
    }

    @Test
    void withItsOwnScaleRuleIsItsOwnClassAndQuantizesExactlyLikeItself() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        Quantizer configured = quantizer.withScaleRule(ownSetting(quantizer));
        assertThat(configured.getClass()).as("withScaleRule keeps the class, so its overrides train").isSameAs(quantizer.getClass());
        assertThat(configured.spec()).isEqualTo(quantizer.spec());
        NDArray weights = randomWeights(12, 30);
        assertThat(configured.quantize(weights).toFloatArray()).containsExactly(quantizer.quantize(weights).toFloatArray());
        NDArray scale = quantizer.scale(weights);
        assertThat(configured.codes(weights, scale).toFloatArray()).containsExactly(quantizer.codes(weights, scale).toFloatArray());
    }

    @Test
    void withAnotherScaleRuleIsItsOwnClassWithThatSpec() {
        if (!(quantizer() instanceof AlphabetQuantizer quantizer)) {
            return; // it may accept only its own rule (Quantizer's default)
        }
        for (ScaleRule rule : ScaleRules.BUILT_IN) {
            for (Granularity granularity : java.util.List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
                ScaleSetting setting = new ScaleSetting(rule, granularity);
                Quantizer configured = quantizer.withScaleRule(setting);
                assertThat(configured.getClass()).as(setting.toString()).isSameAs(quantizer.getClass());
                assertThat(configured.spec()).isEqualTo(quantizer.id() + "@" + setting);
                assertThat(configured.alphabet()).isEqualTo(quantizer.alphabet());
            }
        }
        assertThat(quantizer.scaleRule()).as("configuring a copy leaves the quantizer as it was")
                .isEqualTo(quantizer.scaleSetting().toString());
    }

    /**
     * The quantizer's own rule as a setting: an alphabet quantizer's, a built-in named by
     * {@link Quantizer#scaleRule()}, or else a stand-in with its id (Quantizer's default compares the text).
     */
    private static ScaleSetting ownSetting(Quantizer quantizer) {
        if (quantizer instanceof AlphabetQuantizer alphabetQuantizer) {
            return alphabetQuantizer.scaleSetting();
        }
        return ScaleSetting.parse(quantizer.scaleRule(), id -> ScaleRules.BUILT_IN.stream()
                .filter(r -> r.id().equals(id)).findFirst().orElse(new NamedRule(id)));
    }

    /** Stands in for a rule only known by id: a quantizer that owns its scale never calls it. */
    private record NamedRule(String id) implements ScaleRule {
        @Override
        public String description() {
            return "the quantizer's own rule";
        }

        @Override
        public NDArray scale(NDArray weights, dev.lowbit.api.spi.Alphabet alphabet, Granularity granularity) {
            throw new UnsupportedOperationException("'" + id + "' is the quantizer's own rule");
        }
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
