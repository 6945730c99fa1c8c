package dev.lowbit.api.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.FullPrecisionQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** QuantizedWeight and the blocks training with a {@link LayerScheme}: estimators, randomness, trained values. */
class LayerSchemeTrainingTest {

    private final Quantizer ternary = new SchemeFixtures.Ternary();
    private NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private <B extends QuantizedLinear> B initialised(B layer) {
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
        return layer;
    }

    private static List<String> names(QuantizedBlock block) {
        return block.getParameters().keys();
    }

    private NDArray forward(QuantizedLinear layer, NDArray x, boolean training) {
        return layer.forward(new ParameterStore(manager, false), new NDList(x), training)
                .singletonOrThrow();
    }

    @Test
    void aStochasticQuantizerDrawsOnlyWhileTrainingAndRepeatsItsDrawsFromTheSameState() {
        SchemeFixtures.StochasticTernary stochastic = new SchemeFixtures.StochasticTernary();
        QuantizedLinear layer = new QuantizedLinear(4, stochastic);
        QuantizerRandom random = new QuantizerRandom(42);
        layer.configure(LayerScheme.of(stochastic), random);
        initialised(layer);
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray shadow = layer.quantizedWeight().weight().getArray();
        NDArray nearest = Linear.linear(
                        x,
                        stochastic.quantize(shadow),
                        layer.getParameters().get("bias").getArray())
                .singletonOrThrow();

        float[] evaluated = forward(layer, x, false).toFloatArray();
        assertThat(stochastic.draws).isZero();
        assertThat(random.state()).isEqualTo(new QuantizerRandom(42).state());
        assertThat(evaluated).containsExactly(nearest.toFloatArray());

        long before = random.state();
        float[] trained = forward(layer, x, true).toFloatArray();
        assertThat(stochastic.draws).isOne();
        assertThat(trained).isNotEqualTo(evaluated);
        random.restore(before);
        assertThat(forward(layer, x, true).toFloatArray()).containsExactly(trained);
    }

    @Test
    void aBlockNeverConfiguredStillTrainsAStochasticQuantizerFromItsOwnSeedZero() {
        SchemeFixtures.StochasticTernary stochastic = new SchemeFixtures.StochasticTernary();
        QuantizedLinear alone = initialised(new QuantizedLinear(4, stochastic));
        NDArray shadow = alone.quantizedWeight().weight().getArray();
        NDArray scale = stochastic.scale(shadow);
        NDArray expected = stochastic.quantize(shadow, scale, new QuantizerRandom(0).context(true));

        NDArray weights = alone.quantizedWeight().forward(new ParameterStore(manager, false), manager, true);

        assertThat(weights.toFloatArray()).containsExactly(expected.toFloatArray());
    }

    @Test
    void aLearnedQuantizersTrainedValuesStartFromItsInitialValuesAndReceiveGradients() {
        SchemeFixtures.TwoMagnitudes ttq = new SchemeFixtures.TwoMagnitudes();
        QuantizedLinear layer = initialised(new QuantizedLinear(4, ttq));
        NDArray shadow = layer.quantizedWeight().weight().getArray();
        NDArray wp = layer.getParameters().get("wp").getArray();
        NDArray wn = layer.getParameters().get("wn").getArray();
        assertThat(names(layer)).containsExactly("weight", "wp", "wn", "bias");
        assertThat(layer.quantizedWeight().trainedValues())
                .extracting(Parameter::getName)
                .containsExactly("wp", "wn");
        assertThat(wp.toFloatArray())
                .containsExactly(ttq.initialValues(shadow).get(0).toFloatArray());
        NDArray positive = SchemeFixtures.TwoMagnitudes.positive(shadow);
        NDArray negative = SchemeFixtures.TwoMagnitudes.negative(shadow);

        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray upstream = manager.randomNormal(new Shape(5, 4));
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = forward(layer, x, true);
            NDArray expected = Linear.linear(
                            x,
                            positive.mul(wp).sub(negative.mul(wn)),
                            layer.getParameters().get("bias").getArray())
                    .singletonOrThrow();
            assertThat(y.toFloatArray()).containsExactly(expected.toFloatArray());
            tape.backward(y.mul(upstream).sum());
        }

        // dL/dWq = upstream^T x; Wq = wp * positive - wn * negative.
        NDArray weightGradient = upstream.transpose().matMul(x);
        assertThat(wp.getGradient().getFloat())
                .isCloseTo(weightGradient.mul(positive).sum().getFloat(), org.assertj.core.data.Offset.offset(1e-5f))
                .isNotZero();
        assertThat(wn.getGradient().getFloat())
                .isCloseTo(-weightGradient.mul(negative).sum().getFloat(), org.assertj.core.data.Offset.offset(1e-5f))
                .isNotZero();
        assertThat(shadow.getGradient().allClose(weightGradient, 1e-5, 1e-6, false))
                .isTrue();
        assertThat(layer.quantizedWeight().codesOf(shadow).toFloatArray())
                .containsExactly(positive.sub(negative).add(1f).toFloatArray());
    }

    @Test
    void aTrainingStepOnTrainedValuesLeavesNothingInTheModelsManager() {
        QuantizedLinear layer = new QuantizedLinear(4, ternary);
        layer.configure(
                new LayerScheme(
                        new SchemeFixtures.TwoMagnitudes(), GradientEstimator.STE, new SchemeFixtures.LearnedClip()),
                new QuantizerRandom(1));
        initialised(layer);
        int before = manager.getManagedArrays().size();

        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray x = batch.randomNormal(new Shape(5, 6));
            NDArray y = layer.forward(new ParameterStore(batch, false), new NDList(x), true)
                    .singletonOrThrow();
            tape.backward(y.sum());
        }

        // The scheme's own ops start from the parameters; they must land in the batch's manager, closed with it.
        assertThat(manager.getManagedArrays()).hasSize(before);
    }

    @Test
    void configureRegistersTheWeightItsTrainedValuesTheInputValuesThenTheBias() {
        QuantizedConv2d conv = QuantizedConv2d.same(3, 3, ternary);
        Parameter weight = conv.quantizedWeight().weight();

        conv.configure(
                new LayerScheme(
                        new SchemeFixtures.TwoMagnitudes(), GradientEstimator.STE, new SchemeFixtures.LearnedClip()),
                new QuantizerRandom(1));

        assertThat(names(conv)).containsExactly("weight", "wp", "wn", "input_alpha", "bias");
        assertThat(conv.quantizedWeight().weight()).isSameAs(weight);
        assertThat(conv.quantizedWeight().inputValues())
                .extracting(Parameter::getName)
                .containsExactly("input_alpha");
        assertThat(conv.toString())
                .isEqualTo("QuantizedConv2d(filters=3, kernel=3, stride=1, padding=1,"
                        + " quantizer=test-ttq@mse/tensor, activations=test-clip)");

        conv.configure(LayerScheme.of(ternary), new QuantizerRandom(1));

        assertThat(names(conv)).containsExactly("weight", "bias");
    }

    @Test
    void configuringTheSchemeABlockHasChangesNoParameter() {
        QuantizedLinear layer = new QuantizedLinear(4, new LearnedQuinary());
        List<Parameter> before = layer.getParameters().values();

        layer.configure(LayerScheme.of(layer.quantizedWeight().quantizer()), new QuantizerRandom(7));

        assertThat(layer.getParameters().values())
                .hasSize(3)
                .zipSatisfy(before, (after, was) -> assertThat(after).isSameAs(was));
        assertThat(names(layer)).containsExactly("weight", "scale", "bias");
    }

    @Test
    void fp32WeightsWithAnInputQuantizerKeepTheWeightsAndQuantizeTheInputsAsEvalRebuildsThem() {
        Quantizer fp32 = new FullPrecisionQuantizer();
        QuantizedLinear layer = new QuantizedLinear(4, ternary);
        layer.configure(
                new LayerScheme(fp32, GradientEstimator.STE, new SchemeFixtures.AbsMaxInt8()), new QuantizerRandom(1));
        initialised(layer);
        NDArray x = manager.randomNormal(new Shape(5, 6));

        NDArray y = forward(layer, x, false);

        assertThat(names(layer)).containsExactly("weight", "bias");
        NDArray quantizedInput = new SchemeFixtures.AbsMaxInt8()
                .quantize(
                        x,
                        new SchemeFixtures.AbsMaxInt8().scale(x, new ai.djl.ndarray.NDList()),
                        dev.lowbit.api.spi.QuantizationContext.EVALUATION);
        assertThat(y.toFloatArray())
                .containsExactly(Linear.linear(
                                quantizedInput,
                                layer.quantizedWeight().weight().getArray(),
                                layer.getParameters().get("bias").getArray())
                        .singletonOrThrow()
                        .toFloatArray());
        assertThat(y.toFloatArray())
                .isNotEqualTo(Linear.linear(
                                x,
                                layer.quantizedWeight().weight().getArray(),
                                layer.getParameters().get("bias").getArray())
                        .singletonOrThrow()
                        .toFloatArray());
    }

    @Test
    void refusesToConfigureAnInitialisedBlock() {
        QuantizedLinear layer = initialised(new QuantizedLinear(4, ternary));

        assertThatThrownBy(() -> layer.configure(LayerScheme.of(ternary), new QuantizerRandom(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Cannot configure QuantizedLinear(units=4, quantizer=test-ternary@mse/tensor) after it is"
                        + " initialised: configure each quantized block before the model initialises.");
    }

    static final class LearnedQuinary extends AlphabetQuantizer {
        LearnedQuinary() {
            super("test-learned", "test", Alphabet.symmetricWithZero(5), ScaleRules.parse("learned/channel"));
        }
    }

    @Test
    void aLearnedScaleTrainsBitForBitAsTheStraightThroughLsqOnItsParameters() {
        Quantizer lsq = new LearnedQuinary();
        QuantizedLinear layer = initialised(new QuantizedLinear(4, lsq));
        Parameter shadowParameter = layer.quantizedWeight().weight();
        Parameter scaleParameter = layer.quantizedWeight().learnedScale().orElseThrow();
        NDArray twinShadow = shadowParameter.getArray().duplicate();
        NDArray twinScale = scaleParameter.getArray().duplicate();
        twinShadow.setRequiresGradient(true);
        twinScale.setRequiresGradient(true);
        NDArray upstream = manager.randomNormal(new Shape(4, 6));

        float[] expected;
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = StraightThrough.quantize(twinShadow, twinScale, lsq, batch);
            expected = wq.toFloatArray();
            tape.backward(wq.mul(upstream).sum());
        }
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = layer.quantizedWeight().forward(new ParameterStore(manager, false), batch, true);
            assertThat(wq.toFloatArray()).containsExactly(expected);
            tape.backward(wq.mul(upstream).sum());
        }

        assertThat(shadowParameter.getArray().getGradient().toFloatArray())
                .containsExactly(twinShadow.getGradient().toFloatArray());
        assertThat(scaleParameter.getArray().getGradient().toFloatArray())
                .containsExactly(twinScale.getGradient().toFloatArray());
        assertThat(layer.quantizedWeight()
                        .scaleOf(shadowParameter.getArray().stopGradient())
                        .toFloatArray())
                .containsExactly(scaleParameter.getArray().toFloatArray());
    }

    @Test
    void aNonIdentityEstimatorShapesTheShadowGradientOfALayer() {
        QuantizedLinear layer = new QuantizedLinear(4, ternary);
        layer.configure(new LayerScheme(ternary, new SchemeFixtures.Clipped(), null), new QuantizerRandom(1));
        initialised(layer);
        NDArray shadow = layer.quantizedWeight().weight().getArray();
        NDArray inside = shadow.div(ternary.scale(shadow)).abs().lte(1f).toType(DataType.FLOAT32, false);
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray upstream = manager.randomNormal(new Shape(5, 4));

        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            tape.backward(forward(layer, x, true).mul(upstream).sum());
        }

        NDArray expected = upstream.transpose().matMul(x).mul(inside);
        assertThat(inside.sum().getFloat()).isLessThan(24f);
        assertThat(shadow.getGradient().allClose(expected, 1e-5, 1e-6, false)).isTrue();
    }
}
