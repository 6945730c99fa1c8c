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
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Layers whose input goes through an activation quantizer, and how failures of scheme code are named. */
class InputQuantizationTest {

    private final Quantizer ternary = new SchemeFixtures.Ternary();
    private NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(4);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private QuantizedLinear configured(LayerScheme scheme) {
        QuantizedLinear layer = new QuantizedLinear(4, ternary);
        layer.configure(scheme, new QuantizerRandom(1));
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
        return layer;
    }

    private NDArray bias(QuantizedBlock layer) {
        return layer.getParameters().get("bias").getArray();
    }

    @Test
    void anInt8InputQuantizerChangesTheOutputToTheLayerOnQuantizedInputs() {
        SchemeFixtures.AbsMaxInt8 int8 = new SchemeFixtures.AbsMaxInt8();
        QuantizedLinear layer = configured(new LayerScheme(ternary, GradientEstimator.STE, int8));
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray weights = ternary.quantize(layer.quantizedWeight().weight().getArray());
        NDArray onQuantizedInputs = Linear.linear(
                        int8.quantize(x, int8.scale(x, new NDList()), null), weights, bias(layer))
                .singletonOrThrow();
        NDArray onFp32Inputs = Linear.linear(x, weights, bias(layer)).singletonOrThrow();

        NDArray evaluated = layer.forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow();
        NDArray trained = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                .singletonOrThrow();

        assertThat(evaluated.toFloatArray()).containsExactly(onQuantizedInputs.toFloatArray());
        assertThat(trained.toFloatArray()).containsExactly(onQuantizedInputs.toFloatArray());
        assertThat(evaluated.toFloatArray()).isNotEqualTo(onFp32Inputs.toFloatArray());
    }

    @Test
    void theInputReceivesTheStraightThroughGradientOfItsQuantizedValue() {
        QuantizedLinear layer =
                configured(new LayerScheme(ternary, GradientEstimator.STE, new SchemeFixtures.AbsMaxInt8()));
        NDArray x = manager.randomNormal(new Shape(5, 6));
        x.setRequiresGradient(true);
        NDArray upstream = manager.randomNormal(new Shape(5, 4));

        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            tape.backward(y.mul(upstream).sum());
        }

        // y = xq Wq^T + b, so dL/dxq = upstream Wq, handed to x unchanged.
        NDArray expected = upstream.matMul(
                ternary.quantize(layer.quantizedWeight().weight().getArray()));
        assertThat(x.getGradient().allClose(expected, 1e-5, 1e-6, false)).isTrue();
        assertThat(x.getGradient().abs().sum().getFloat()).isPositive();
    }

    @Test
    void anInputQuantizersOwnEstimatorShapesTheInputGradient() {
        SchemeFixtures.AbsMaxInt8 clippedInt8 = new SchemeFixtures.AbsMaxInt8() {
            @Override
            public GradientEstimator estimator() {
                return new SchemeFixtures.Clipped();
            }

            @Override
            public NDArray normalized(NDArray input, NDArray scale) {
                return input.div(0.5f); // so inputs beyond +-0.5 get no gradient
            }
        };
        QuantizedLinear layer = configured(new LayerScheme(ternary, GradientEstimator.STE, clippedInt8));
        NDArray x = manager.randomNormal(new Shape(5, 6));
        x.setRequiresGradient(true);
        NDArray upstream = manager.randomNormal(new Shape(5, 4));

        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            tape.backward(y.mul(upstream).sum());
        }

        NDArray inside = x.stopGradient().abs().lte(0.5f).toType(DataType.FLOAT32, false);
        NDArray expected = upstream.matMul(
                        ternary.quantize(layer.quantizedWeight().weight().getArray()))
                .mul(inside);
        assertThat(inside.sum().getFloat()).isBetween(1f, 29f);
        assertThat(x.getGradient().allClose(expected, 1e-5, 1e-6, false)).isTrue();
    }

    @Test
    void anInputQuantizersTrainedValueStartsAtItsInitialValueAndReceivesAGradient() {
        QuantizedConv2d conv = QuantizedConv2d.same(2, 3, ternary);
        conv.configure(
                new LayerScheme(ternary, GradientEstimator.STE, new SchemeFixtures.LearnedClip()),
                new QuantizerRandom(1));
        conv.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        conv.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        conv.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 4, 4));
        NDArray alpha = conv.getParameters().get("input_alpha").getArray();
        assertThat(alpha.toFloatArray()).containsExactly(0.5f);
        NDArray x = manager.randomNormal(new Shape(2, 1, 4, 4));

        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = conv.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            NDArray expected = Conv2d.conv2d(
                            x.maximum(0f).minimum(0.5f),
                            ternary.quantize(conv.quantizedWeight().weight().getArray()),
                            bias(conv),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            new Shape(1, 1),
                            1)
                    .singletonOrThrow();
            assertThat(y.toFloatArray()).containsExactly(expected.toFloatArray());
            tape.backward(y.sum());
        }

        assertThat(alpha.getGradient().getFloat()).isNotZero();
    }

    @Test
    void aFailingActivationQuantizerIsNamedWithTheLayerWhoseInputItFailedOn() {
        QuantizedLinear layer =
                configured(new LayerScheme(ternary, GradientEstimator.STE, new SchemeFixtures.AbsMaxInt8() {
                    @Override
                    public NDArray scale(NDArray input, NDList trained) {
                        throw new IllegalStateException("no scale today");
                    }
                }));
        layer.quantizedWeight().nameAs("03QuantizedLinear_weight");
        NDArray x = manager.randomNormal(new Shape(5, 6));

        assertThatThrownBy(() -> layer.forward(new ParameterStore(manager, false), new NDList(x), false))
                .isInstanceOf(QuantizerException.class)
                .hasMessage("activation quantizer 'test-int8' failed in scale() on the input of layer"
                        + " '03QuantizedLinear' (5, 6): IllegalStateException: no scale today");
    }

    @Test
    void aFailingEstimatorIsNamedWithItsQuantizerAndTensor() {
        GradientEstimator broken = new SchemeFixtures.Clipped() {
            @Override
            public NDArray derivative(NDArray normalized) {
                throw new ArithmeticException("no slope");
            }
        };
        QuantizedLinear layer = configured(new LayerScheme(ternary, broken, null));
        layer.quantizedWeight().nameAs("01QuantizedLinear_weight");

        assertThatThrownBy(() -> layer.quantizedWeight().forward(new ParameterStore(manager, false), manager, true))
                .isInstanceOf(QuantizerException.class)
                .hasMessage("estimator 'test-clipped' of quantizer 'test-ternary@mse/tensor' failed in derivative()"
                        + " on tensor '01QuantizedLinear_weight' (4, 6): ArithmeticException: no slope");
    }

    @Test
    void anEstimatorWhoseDerivativeDoesNotFitTheWeightsIsRefusedByName() {
        GradientEstimator wide = new SchemeFixtures.Clipped() {
            @Override
            public NDArray derivative(NDArray normalized) {
                return normalized.getManager().ones(new Shape(7, 6));
            }
        };
        QuantizedLinear layer = configured(new LayerScheme(ternary, wide, null));

        assertThatThrownBy(() -> layer.quantizedWeight().forward(new ParameterStore(manager, false), manager, true))
                .isInstanceOf(QuantizerException.class)
                .hasMessage("estimator 'test-clipped' of quantizer 'test-ternary@mse/tensor' failed in derivative()"
                        + " on tensor 'weight' (4, 6): IllegalStateException: it returned shape (7, 6), which does not"
                        + " broadcast to the input's shape (4, 6)");
    }

    @Test
    void refusesAWeightTrainedValueNamedLikeAnInputValue() {
        SchemeFixtures.TwoMagnitudes clashing = new SchemeFixtures.TwoMagnitudes() {
            @Override
            public List<TrainedValue> trainedValues(Shape weightShape) {
                return List.of(new TrainedValue("input_alpha", new Shape(1)));
            }
        };
        QuantizedLinear layer = new QuantizedLinear(4, ternary);

        assertThatThrownBy(() -> layer.configure(
                        new LayerScheme(clashing, GradientEstimator.STE, new SchemeFixtures.LearnedClip()),
                        new QuantizerRandom(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Two parameters of tensor 'weight' are named 'input_alpha' (quantizer"
                        + " 'test-ttq@mse/tensor'): a quantizer's trained values and the input quantizer's (named"
                        + " 'input_' + name) must have distinct names.");
    }
}
