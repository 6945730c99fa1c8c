package dev.lowbit.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

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
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class QuantizedLinearTest {

    static final class Ternary extends AlphabetQuantizer {
        Ternary() {
            super("test-ternary", "test", Alphabet.symmetricWithZero(3));
        }
    }

    static final class LearnedQuinary extends AlphabetQuantizer {
        LearnedQuinary() {
            super("test-learned", "test", Alphabet.symmetricWithZero(5), ScaleRules.parse("learned/channel"));
        }
    }

    private final Quantizer ternary = new Ternary();
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

    private QuantizedLinear initialised(long units, long inputs) {
        QuantizedLinear layer = new QuantizedLinear(units, ternary);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, new Shape(5, inputs));
        return layer;
    }

    @Test
    void forwardEqualsAPlainLinearLayerOnQuantizedWeights() {
        QuantizedLinear layer = initialised(4, 6);
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray expected = Linear.linear(
                        x,
                        ternary.quantize(layer.quantizedWeight().weight().getArray()),
                        layer.getParameters().get("bias").getArray())
                .singletonOrThrow();

        NDArray actual = layer.forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow();

        assertThat(actual.getShape()).isEqualTo(new Shape(5, 4));
        assertThat(actual.allClose(expected, 1e-5, 1e-6, false)).isTrue();
    }

    @Test
    void shadowWeightsReceiveTheGradientOfTheQuantizedWeights() {
        QuantizedLinear layer = initialised(4, 6);
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray upstream = manager.randomNormal(new Shape(5, 4));
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            tape.backward(y.mul(upstream).sum());
        }
        // y = x Wq^T + b, so dL/dWq = upstream^T x; the straight-through estimator hands it to W unchanged.
        NDArray expected = upstream.transpose().matMul(x);
        NDArray gradient = layer.quantizedWeight().weight().getArray().getGradient();
        assertThat(gradient.allClose(expected, 1e-5, 1e-6, false)).isTrue();
    }

    @Test
    void forwardUsesExactlyTheDecodedCodes() {
        QuantizedLinear layer = initialised(4, 6);
        NDArray shadow = layer.quantizedWeight().weight().getArray();
        NDArray scale = ternary.scale(shadow);
        NDArray decoded = ternary.decode(ternary.codes(shadow, scale), scale);
        NDArray x = manager.randomNormal(new Shape(5, 6));
        NDArray onDecodedWeights = Linear.linear(
                        x, decoded, layer.getParameters().get("bias").getArray())
                .singletonOrThrow();

        NDArray y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                .singletonOrThrow();

        assertThat(y.toFloatArray()).containsExactly(onDecodedWeights.toFloatArray());
    }

    @Test
    void aLearnedScaleStartsAtTheRuleAndReceivesAGradient() {
        QuantizedLinear layer = new QuantizedLinear(4, new LearnedQuinary());
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
        NDArray shadow = layer.quantizedWeight().weight().getArray();
        NDArray scale = layer.getParameters().get("scale").getArray();
        assertThat(scale.getShape()).isEqualTo(new Shape(4, 1));
        assertThat(scale.toFloatArray())
                .containsExactly(new LearnedQuinary().scale(shadow).toFloatArray());

        NDArray x = manager.randomNormal(new Shape(5, 6));
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(new ParameterStore(manager, false), new NDList(x), true)
                    .singletonOrThrow();
            tape.backward(y.mul(manager.randomNormal(new Shape(5, 4))).sum());
        }

        assertThat(scale.getGradient().abs().sum().getFloat()).isPositive();
        assertThat(shadow.getGradient().abs().sum().getFloat()).isPositive();
    }
}
