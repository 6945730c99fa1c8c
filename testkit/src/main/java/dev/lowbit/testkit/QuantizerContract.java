package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import dev.lowbit.format.lbw.RadixPacking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * quantizer from {@link #quantizer()}. It ships in lowbit-testkit and runs on the real engine.
 *
 * <p>Weights come in the shapes lowbit's layers have: a vector (64), a linear or attention projection
 * (12, 30) and a conv kernel (6, 3, 5, 5). They are checked for the quantizer and, for one that takes
 * other scale rules (an {@link AlphabetQuantizer}), for its rule at the other of per tensor and per output
 * channel, at {@code group:8} (whose last group of each channel is shorter on these shapes) and under the
 * affine {@code minmax/channel} rule. For every such configuration (docs/SCHEMES.md):
 * <ul>
 *   <li>outputs lie on the alphabet at their scale (and zero point), codes in range decode exactly;
 *   <li>evaluation is deterministic: {@code quantize(W, s, EVALUATION)}, {@code quantize(W, s)} and
 *       {@code decode(codes(W, s), s)} are the same bits, and the weights are never written to;
 *   <li>training with the run's seeded generator is reproducible (same seed, restored state) and stays on
 *       the alphabet; a quantizer that draws nothing trains as it evaluates;
 *   <li>{@link Quantizer#estimator()} exists and its derivative of {@link Quantizer#normalized} is finite and
 *       broadcasts; the outermost levels normalize to -1 and +1;
 *   <li>the packed file ({@code .lbw}, written by ModelPacking from a real layer and read back) decodes to
 *       exactly the weights the layer evaluates with: what {@code lowbit eval} relies on;
 *   <li>a {@link LearnedQuantizer} with trained values for the shape declares distinct names, starts them
 *       finite in their shapes, evaluates {@code quantizeTrained} as its packed form bit for bit, and every
 *       trained value (and the weights) receives a gradient.
 * </ul>
 * {@link Quantizer#withScaleRule} must give the quantizer's own class with the requested spec, computing
 * exactly as the quantizer itself does.
 */
public abstract class QuantizerContract {

    /** Relative tolerance for float32 round-off when comparing scaled values. */
    private static final double TOLERANCE = 1e-4;

    /** The weight shapes of lowbit's layers: a vector, a linear weight, a conv kernel. */
    private static final List<long[]> SHAPES = List.of(new long[] {64}, new long[] {12, 30}, new long[] {6, 3, 5, 5});

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
        return manager.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32);
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
        // The text after '@' in every stored spec: a rule id and a granularity, e.g. mse/tensor, absmax/group:64.
        assertThat(quantizer.scaleRule()).matches("[a-z][a-z0-9.-]*/(tensor|channel|group:[1-9][0-9]*)");
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
        for (NDArray weights : List.of(randomWeights(7, 13), randomWeights(6, 3, 5, 5))) {
            assertThat(quantizer().quantize(weights).getShape()).isEqualTo(weights.getShape());
        }
    }

    @Test
    void putsEveryOutputOnTheAlphabetTimesItsScale() {
        Quantizer quantizer = quantizer();
        NDArray weights = randomWeights(64, 50);
        if (quantizer.isFullPrecision()) {
            assertThat(quantizer.quantize(weights).toFloatArray()).containsExactly(weights.toFloatArray());
            return;
        }
        ContractAssertions.assertOnGrid(
                quantizer.quantize(weights, quantizer.scale(weights)).toFloatArray(),
                PackedForm.candidates(PackedForm.of(quantizer, weights, null)),
                quantizer.spec() + ": quantize(W, s) must lie on the alphabet "
                        + quantizer.alphabet().orElseThrow() + " at scale s (and zero point z)");
    }

    @Test
    void hasPositiveFloat32ScalesOnePerTensorOrPerOutputChannel() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray scale = quantizer.scale(randomWeights(12, 30));
        assertThat(scale.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(scale.size()).isEqualTo(quantizer.scaleCount(new long[] {12, 30}));
        // An affine quantizer stacks its zero points after its scales; only the scales must be positive.
        for (float value : (quantizer.affine() ? scale.get(0) : scale).toFloatArray()) {
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
        for (NDArray weights : List.of(randomWeights(33, 9), randomWeights(6, 3, 5, 5))) {
            NDArray scale = quantizer().scale(weights);
            NDArray once = quantizer().quantize(weights, scale);
            NDArray twice = quantizer().quantize(once, scale);
            assertThat(twice.toFloatArray())
                    .as("%s on %s", quantizer().spec(), weights.getShape())
                    .usingElementComparator(this::compareClose)
                    .containsExactly(toObjects(once.toFloatArray()));
        }
    }

    @Test
    void passesTheGradientStraightThroughToTheShadowWeights() {
        for (long[] shape : List.of(new long[] {16, 24}, new long[] {6, 3, 5, 5})) {
            NDArray shadow = randomWeights(shape);
            shadow.setRequiresGradient(true);
            NDArray upstream = manager.randomUniform(-1, 1, shadow.getShape());
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray quantized = StraightThrough.quantize(shadow, quantizer(), manager);
                tape.backward(quantized.mul(upstream).sum());
            }
            assertThat(shadow.getGradient().toFloatArray())
                    .as("%s on %s", quantizer().spec(), shadow.getShape())
                    .containsExactly(upstream.toFloatArray());
        }
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

    /**
     * Every shape, every configuration: shape kept, the straight-through value exact, positive scales of the
     * declared count and layout, codes in range that decode exactly, outputs on the alphabet times the scale.
     */
    @TestFactory
    Stream<DynamicTest> quantizesEveryLayerShapeOntoItsAlphabetWithCodesThatDecodeExactly() {
        return perConfiguration(QuantizerChecks::quantizesOntoItsAlphabet);
    }

    /** quantize(W, s, EVALUATION) = quantize(W, s) = decode(codes(W, s), s), bit for bit; the weights untouched. */
    @TestFactory
    Stream<DynamicTest> evaluatesDeterministicallyAsTheDecodeOfItsCodes() {
        return perConfiguration(
                (quantizer, weights, scope) -> QuantizerChecks.evaluatesAsTheDecodeOfItsCodes(quantizer, weights));
    }

    /** The seeded training context: reproducible by seed and by restored state, on the alphabet. */
    @TestFactory
    Stream<DynamicTest> trainsReproduciblyFromTheRunsSeededGenerator() {
        return perConfiguration((quantizer, weights, scope) ->
                QuantizerChecks.trainsReproduciblyFromASeededGenerator(quantizer, weights));
    }

    /** The estimator exists and its derivative of normalized(W, s) is finite; outermost levels at -1 and +1. */
    @TestFactory
    Stream<DynamicTest> normalizesTheWeightsForAnEstimatorWithAFiniteDerivative() {
        return perConfiguration((quantizer, weights, scope) -> {
            if (!quantizer.isFullPrecision()) {
                QuantizerChecks.normalizesForItsEstimator(quantizer, weights);
            }
        });
    }

    /**
     * The packed file decodes to exactly the weights the layer evaluates with: a real layer (linear or conv)
     * through ModelPacking and a .lbw file; a vector through the same packed form built directly.
     */
    @TestFactory
    Stream<DynamicTest> packsToAFileThatDecodesToTheEvaluationWeightsBitForBit() {
        return perConfiguration((quantizer, weights, scope) -> {
            if (quantizer.isFullPrecision()) {
                return;
            }
            long[] shape = weights.getShape().getShape();
            if (shape.length == 1) {
                QuantizerChecks.packsWhatItEvaluates(quantizer, weights);
            } else {
                QuantizerChecks.packsWhatTheLayerEvaluates(quantizer, shape, scope);
            }
        });
    }

    /**
     * For a {@link LearnedQuantizer} with trained values for the shape: names, initial values, the packed form
     * in evaluation, reproducible training, and a gradient for every trained value and for the weights.
     */
    @TestFactory
    Stream<DynamicTest> trainsItsLearnedValuesAndEvaluatesThemAsTheirPackedForm() {
        return perConfiguration((quantizer, weights, scope) -> {
            if (LearnedQuantizerChecks.trainsValues(quantizer, weights.getShape())) {
                LearnedQuantizer learned = (LearnedQuantizer) quantizer;
                NDList initial = LearnedQuantizerChecks.declaresAndInitialisesItsValues(learned, weights);
                LearnedQuantizerChecks.evaluatesAsItsPackedForm(learned, weights, initial);
                LearnedQuantizerChecks.trainsEveryValue(learned, weights, initial);
            }
        });
    }

    /** One check on fresh weights of one shape in a scope of its own. */
    @FunctionalInterface
    private interface Check {
        void run(Quantizer quantizer, NDArray weights, NDManager scope);
    }

    private Stream<DynamicTest> perConfiguration(Check check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Quantizer configuration : configurations()) {
            for (long[] shape : SHAPES) {
                tests.add(DynamicTest.dynamicTest(configuration.spec() + " on " + Arrays.toString(shape), () -> {
                    try (NDManager scope = manager.newSubManager()) {
                        check.run(
                                configuration, scope.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32), scope);
                    }
                }));
            }
        }
        return tests.stream();
    }

    /**
     * The quantizer and, for one that takes other rules, its rule at the other of per tensor and per
     * channel, at {@code group:8}, and the affine {@code minmax/channel}; each spec once.
     */
    private List<Quantizer> configurations() {
        Map<String, Quantizer> bySpec = new LinkedHashMap<>();
        Quantizer quantizer = quantizer();
        bySpec.put(quantizer.spec(), quantizer);
        if (quantizer instanceof AlphabetQuantizer alphabetQuantizer) {
            ScaleSetting own = alphabetQuantizer.scaleSetting();
            Granularity other = Granularity.TENSOR.equals(own.granularity()) ? Granularity.CHANNEL : Granularity.TENSOR;
            for (ScaleSetting setting : List.of(
                    new ScaleSetting(own.rule(), other),
                    new ScaleSetting(own.rule(), Granularity.group(8)),
                    new ScaleSetting(ScaleRules.rule("minmax"), Granularity.CHANNEL))) {
                Quantizer configured = alphabetQuantizer.withScaleRule(setting);
                bySpec.putIfAbsent(configured.spec(), configured);
            }
        }
        return List.copyOf(bySpec.values());
    }

    @Test
    void withItsOwnScaleRuleIsItsOwnClassAndQuantizesExactlyLikeItself() {
        Quantizer quantizer = quantizer();
        if (quantizer.isFullPrecision()) {
            return;
        }
        Quantizer configured = quantizer.withScaleRule(ownSetting(quantizer));
        assertThat(configured.getClass())
                .as("withScaleRule keeps the class, so its overrides train")
                .isSameAs(quantizer.getClass());
        assertThat(configured.spec()).isEqualTo(quantizer.spec());
        NDArray weights = randomWeights(12, 30);
        assertThat(configured.quantize(weights).toFloatArray())
                .containsExactly(quantizer.quantize(weights).toFloatArray());
        NDArray scale = quantizer.scale(weights);
        assertThat(configured.codes(weights, scale).toFloatArray())
                .containsExactly(quantizer.codes(weights, scale).toFloatArray());
    }

    @Test
    void withAnotherScaleRuleIsItsOwnClassWithThatSpec() {
        if (!(quantizer() instanceof AlphabetQuantizer quantizer)) {
            return; // it may accept only its own rule (Quantizer's default)
        }
        for (ScaleRule rule : ScaleRules.BUILT_IN) {
            for (Granularity granularity : List.of(Granularity.TENSOR, Granularity.CHANNEL, Granularity.group(8))) {
                ScaleSetting setting = new ScaleSetting(rule, granularity);
                Quantizer configured = quantizer.withScaleRule(setting);
                assertThat(configured.getClass()).as(setting.toString()).isSameAs(quantizer.getClass());
                assertThat(configured.spec()).isEqualTo(quantizer.id() + "@" + setting);
                assertThat(configured.alphabet()).isEqualTo(quantizer.alphabet());
                assertThat(configured.granularity()).as(setting.toString()).isEqualTo(granularity);
                assertThat(configured.affine()).as(setting.toString()).isEqualTo(rule.affine());
            }
        }
        assertThat(quantizer.scaleRule())
                .as("configuring a copy leaves the quantizer as it was")
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
        return ScaleSetting.parse(
                quantizer.scaleRule(),
                id -> ScaleRules.BUILT_IN.stream()
                        .filter(r -> r.id().equals(id))
                        .findFirst()
                        .orElse(new NamedRule(id)));
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
        return Math.abs(a - b) <= TOLERANCE * Math.max(1e-6, Math.max(Math.abs(a), Math.abs(b)))
                ? 0
                : Float.compare(a, b);
    }

    private static Float[] toObjects(float[] values) {
        Float[] boxed = new Float[values.length];
        for (int i = 0; i < values.length; i++) {
            boxed[i] = values[i];
        }
        return boxed;
    }
}
