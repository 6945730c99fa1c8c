package dev.lowbit.testkit;

import static dev.lowbit.testkit.ContractAssertions.assertFinite;
import static dev.lowbit.testkit.ContractAssertions.assertFiniteAndNotAllZero;
import static dev.lowbit.testkit.ContractAssertions.assertFloat32OfShape;
import static dev.lowbit.testkit.ContractAssertions.assertSameBits;
import static dev.lowbit.testkit.ContractAssertions.broadcastsInto;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every activation quantizer passes, built-in or third-party: extend this class and return
 * your quantizer, configured as you want it checked, from {@link #quantizer()}. It ships in lowbit-testkit
 * and runs on the real engine.
 *
 * <p>Inputs come in the shapes quantized layers see: {@code (8, 20)} (a linear layer's batch),
 * {@code (4, 5, 20)} (tokens) and {@code (2, 3, 6, 6)} (a convolution's input map), drawn from N(0, 1). On
 * each: a positive finite scale that broadcasts, a quantize that keeps the shape, is deterministic in
 * evaluation and reproducible from the run's seeded generator while training, a finite normalized input
 * whose derivative under the quantizer's own estimator is finite; with trained values, their initial
 * values in the declared shapes, a {@code quantizeTrained} equal in evaluation to
 * {@code quantize(x, scale(x, trained))} bit for bit, and finite gradients, not zero everywhere, for the
 * input and every trained value. Finally a real {@code QuantizedLinear} and {@code QuantizedConv2d} train
 * with it in front: forward and backward give a finite input gradient.
 */
public abstract class ActivationQuantizerContract {

    private static final List<Shape> SHAPES = List.of(new Shape(8, 20), new Shape(4, 5, 20), new Shape(2, 3, 6, 6));
    private static final long SEED = 20_180_806L;

    protected NDManager manager;

    /** The activation quantizer under test, configured (e.g. {@code new Int8().configure("@absmax/tensor")}). */
    protected abstract ActivationQuantizer quantizer();

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(19);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Layer inputs drawn from N(0, 1). */
    protected NDArray randomInputs(Shape shape) {
        return manager.randomNormal(0, 1, shape, DataType.FLOAT32);
    }

    private String where(Shape shape) {
        return "activation quantizer '" + quantizer().spec() + "' on " + shape;
    }

    @Test
    void hasAValidStableIdASpecStartingWithItAndBitsUpTo32() {
        ActivationQuantizer quantizer = quantizer();
        assertThat(PersistedIds.requireValid(quantizer.id())).isEqualTo(quantizer.id());
        assertThat(quantizer.description())
                .as("description(), one line for lowbit list")
                .isNotBlank();
        assertThat(quantizer.spec())
                .as("spec() is stored in results and starts with the id")
                .startsWith(quantizer.id());
        assertThat(quantizer.bits())
                .as("bits(), reported as A<bits>")
                .isGreaterThan(0)
                .isLessThanOrEqualTo(32);
    }

    @Test
    void configuresItsOwnClassAndReadsItsSpecBack() {
        configuresItsOwnClassAndReadsItsSpecBack(quantizer());
    }

    /** configure("") gives the quantizer's class; the options in spec() configure the same spec again. */
    static void configuresItsOwnClassAndReadsItsSpecBack(ActivationQuantizer quantizer) {
        ActivationQuantizer defaults = quantizer.configure("");
        assertThat(defaults)
                .as("configure(\"\") must return the quantizer's own class")
                .isNotNull()
                .isExactlyInstanceOf(quantizer.getClass());
        assertThat(defaults.spec())
                .as("configure(\"\").spec() spells out the default")
                .startsWith(quantizer.id());
        // Results store spec(); lowbit eval configures the quantizer from it again.
        String options = quantizer.spec().substring(quantizer.id().length());
        ActivationQuantizer again;
        try {
            again = quantizer.configure(options);
        } catch (IllegalArgumentException e) {
            throw new AssertionError(
                    "spec() '" + quantizer.spec() + "' must read back to itself, but configure(\"" + options
                            + "\") refused its options: " + e.getMessage(),
                    e);
        }
        assertThat(again)
                .as("configure(\"%s\"), the options of spec() '%s'", options, quantizer.spec())
                .isExactlyInstanceOf(quantizer.getClass());
        assertThat(again.spec())
                .as("spec() '%s' must read back to itself: configure(\"%s\").spec()", quantizer.spec(), options)
                .isEqualTo(quantizer.spec());
    }

    /** Positive finite float32 scales that broadcast; quantize keeps the shape, normalized is finite. */
    @TestFactory
    Stream<DynamicTest> scalesQuantizesAndNormalizesEveryInputShape() {
        return perShape((input, trained) -> {
            String where = where(input.getShape());
            NDArray scale = quantizer().scale(input, trained);
            assertThat(scale.getDataType()).as("%s: the scale's type", where).isEqualTo(DataType.FLOAT32);
            assertThat(broadcastsInto(scale.getShape(), input.getShape()))
                    .as("%s: the scale's shape %s must" + " broadcast against the input", where, scale.getShape())
                    .isTrue();
            for (float value : scale.toFloatArray()) {
                assertThat(value).as("%s: every scale", where).isPositive().isFinite();
            }
            NDArray quantized = quantizer().quantize(input, scale, QuantizationContext.EVALUATION);
            assertFloat32OfShape(quantized, input.getShape(), where + ": quantize(x, s, EVALUATION)");
            assertFinite(quantized.toFloatArray(), where + ": quantize(x, s, EVALUATION)");
            NDArray normalized = quantizer().normalized(input, scale);
            assertFloat32OfShape(normalized, input.getShape(), where + ": normalized(x, s)");
            assertFinite(normalized.toFloatArray(), where + ": normalized(x, s)");
            GradientEstimator estimator = quantizer().estimator();
            assertThat(estimator)
                    .as("%s: estimator() must not be null (GradientEstimator.STE by default)", where)
                    .isNotNull();
            NDArray derivative = estimator.derivative(normalized);
            assertThat(broadcastsInto(derivative.getShape(), input.getShape()))
                    .as(
                            "%s: estimator '%s' derivative's" + " shape %s must broadcast to the input",
                            where, estimator.id(), derivative.getShape())
                    .isTrue();
            assertFinite(derivative.toFloatArray(), where + ": estimator '" + estimator.id() + "' derivative");
        });
    }

    /** Deterministic in evaluation, reproducible from a seed and from a restored state while training. */
    @TestFactory
    Stream<DynamicTest> quantizesDeterministicallyAndReproduciblyFromTheRunsSeed() {
        return perShape((input, trained) -> {
            String where = where(input.getShape());
            float[] before = input.toFloatArray();
            NDArray scale = quantizer().scale(input, trained);
            float[] evaluated = quantizer()
                    .quantize(input, scale, QuantizationContext.EVALUATION)
                    .toFloatArray();
            assertSameBits(
                    quantizer()
                            .quantize(input, scale, QuantizationContext.EVALUATION)
                            .toFloatArray(),
                    evaluated,
                    where + ": quantize(x, s, EVALUATION) must give the same bits every time");
            QuantizerRandom random = new QuantizerRandom(SEED);
            long start = random.state();
            float[] training =
                    quantizer().quantize(input, scale, random.context(true)).toFloatArray();
            assertSameBits(
                    quantizer()
                            .quantize(input, scale, new QuantizerRandom(SEED).context(true))
                            .toFloatArray(),
                    training,
                    where + ": two generators with the same seed must give the same training values (draw"
                            + " only from context.uniform)");
            if (random.state() != start) {
                random.restore(start);
                assertSameBits(
                        quantizer().quantize(input, scale, random.context(true)).toFloatArray(),
                        training,
                        where + ": restoring the generator's state must repeat the training values");
            }
            assertSameBits(
                    input.toFloatArray(),
                    before,
                    where + ": scale and quantize must not change the input (it"
                            + " is a view of the layer's input; write in place only on arrays you created)");
        });
    }

    /** Declared values with distinct names, their initial values finite in the declared shapes. */
    @Test
    void declaresItsTrainedValuesWithInitialValuesOfTheirShapes() {
        List<TrainedValue> declared = quantizer().trainedValues();
        Set<String> names = new HashSet<>();
        for (TrainedValue value : declared) {
            assertThat(names.add(value.name()))
                    .as("trained value names must be distinct: '%s' twice in %s", value.name(), declared)
                    .isTrue();
        }
        NDList initial = quantizer().initialValues(manager);
        assertThat(initial)
                .as("initialValues must give one array per trained value %s", declared)
                .hasSize(declared.size());
        for (int i = 0; i < declared.size(); i++) {
            String what = "activation quantizer '" + quantizer().spec() + "': initial value '"
                    + declared.get(i).name() + "'";
            assertFloat32OfShape(initial.get(i), declared.get(i).shape(), what);
            assertFinite(initial.get(i).toFloatArray(), what);
        }
    }

    /**
     * With trained values: quantizeTrained in evaluation is quantize(x, scale(x, trained)) bit for bit, and on
     * the tape the input and every trained value get a finite gradient, not zero everywhere, on inputs that
     * span twice the quantizer's range at its initial scale.
     */
    @TestFactory
    Stream<DynamicTest> trainsItsValuesAndEvaluatesThemAsQuantize() {
        if (quantizer().trainedValues().isEmpty()) {
            return Stream.empty();
        }
        return perShape((input, trained) -> {
            String where = where(input.getShape());
            float[] expected = quantizer()
                    .quantize(input, quantizer().scale(input, trained), QuantizationContext.EVALUATION)
                    .toFloatArray();
            NDArray evaluated = quantizer()
                    .quantizeTrained(input, trained, quantizer().estimator(), QuantizationContext.EVALUATION);
            assertFloat32OfShape(evaluated, input.getShape(), where + ": quantizeTrained(x, trained, EVALUATION)");
            assertSameBits(
                    evaluated.toFloatArray(),
                    expected,
                    where + ": quantizeTrained(x, trained, EVALUATION) must"
                            + " equal quantize(x, scale(x, trained), EVALUATION) bit for bit");

            NDArray x = spanning(input, trained);
            x.setRequiresGradient(true);
            NDList live = new NDList();
            for (NDArray value : trained) {
                NDArray copy = value.duplicate();
                copy.setRequiresGradient(true);
                live.add(copy);
            }
            NDArray upstream = manager.randomUniform(-1, 1, input.getShape());
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray quantized = quantizer()
                        .quantizeTrained(x, live, quantizer().estimator(), new QuantizerRandom(SEED).context(true));
                tape.backward(quantized.mul(upstream).sum());
            }
            assertFiniteAndNotAllZero(
                    x.getGradient().toFloatArray(), where + ": the input's gradient through" + " quantizeTrained");
            for (int i = 0; i < live.size(); i++) {
                assertFiniteAndNotAllZero(
                        live.get(i).getGradient().toFloatArray(),
                        where + ": the gradient of trained" + " value '"
                                + quantizer().trainedValues().get(i).name() + "' through quantizeTrained");
            }
        });
    }

    /** Uniform over +-2^(bits + 1) steps of the initial scale: inside the levels, and clipped on both sides. */
    private NDArray spanning(NDArray input, NDList trained) {
        float step = quantizer().scale(input, trained).max().getFloat();
        float reach = (float) (step * Math.pow(2, Math.ceil(quantizer().bits()) + 1));
        return manager.randomUniform(-reach, reach, input.getShape());
    }

    /**
     * Through real layers configured with {@code LayerScheme(ternary, STE, this quantizer)}: a linear layer on
     * (8, 20) and (4, 5, 20) inputs and a convolution on (2, 3, 6, 6); a training step gives finite outputs,
     * a finite input gradient that is not zero everywhere, and finite gradients for the trained values.
     */
    @TestFactory
    Stream<DynamicTest> trainsInFrontOfRealLayers() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Shape shape : SHAPES) {
            tests.add(DynamicTest.dynamicTest(quantizer().spec() + " in front of a layer on " + shape, () -> {
                try (NDManager scope = manager.newSubManager()) {
                    ActivationLayers.trainsInFrontOf(quantizer(), shape, scope, where(shape));
                }
            }));
        }
        return tests.stream();
    }

    private Stream<DynamicTest> perShape(BiConsumer<NDArray, NDList> check) {
        List<DynamicTest> tests = new ArrayList<>();
        for (Shape shape : SHAPES) {
            tests.add(DynamicTest.dynamicTest(quantizer().spec() + " on " + shape, () -> {
                NDList trained = quantizer().initialValues(manager);
                check.accept(randomInputs(shape), trained);
            }));
        }
        return tests.stream();
    }
}
