package dev.lowbit.testkit;

import static dev.lowbit.testkit.ContractAssertions.assertFinite;
import static dev.lowbit.testkit.ContractAssertions.assertFiniteAndNotAllZero;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;

/** An activation quantizer in front of real quantized layers, as a run configures them (docs/SCHEMES.md). */
final class ActivationLayers {

    /** Ternary weights at absmean: what the activation quantizer is checked beside. */
    static final Quantizer TERNARY = new AlphabetQuantizer(
            "contract-ternary", "ternary for tests", Alphabet.symmetricWithZero(3), ScaleRules.parse("absmean"));

    private ActivationLayers() {}

    /**
     * A layer taking inputs of {@code shape} ({@code QuantizedLinear} with 4 units on the last axis, or a
     * same-padded 3x3 {@code QuantizedConv2d} with 4 filters for a 4-d input), configured with
     * {@code LayerScheme(TERNARY, STE, quantizer)} before it initialises, then one training step: finite
     * outputs, a finite input gradient that is not zero everywhere, finite gradients for the input
     * quantizer's trained values.
     */
    static void trainsInFrontOf(ActivationQuantizer quantizer, Shape shape, NDManager scope, String where) {
        AbstractBlock layer =
                shape.dimension() == 4 ? QuantizedConv2d.same(4, 3, TERNARY) : new QuantizedLinear(4, TERNARY);
        ((QuantizedBlock) layer)
                .configure(new LayerScheme(TERNARY, GradientEstimator.STE, quantizer), new QuantizerRandom(5));
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(scope, DataType.FLOAT32, shape);
        NDArray x = scope.randomNormal(0, 1, shape, DataType.FLOAT32);
        x.setRequiresGradient(true);
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray y = layer.forward(new ParameterStore(scope, false), new NDList(x), true)
                    .singletonOrThrow();
            assertFinite(y.toFloatArray(), where + ": the layer's output");
            tape.backward(y.mul(scope.randomUniform(-1, 1, y.getShape())).sum());
        }
        assertThat(x.getGradient().getShape())
                .as("%s: the input's gradient", where)
                .isEqualTo(shape);
        assertFiniteAndNotAllZero(
                x.getGradient().toFloatArray(),
                where + ": the input's gradient through the layer"
                        + " (the estimator's derivative must not vanish everywhere on N(0, 1) inputs)");
        for (Parameter value : ((QuantizedBlock) layer).quantizedWeight().inputValues()) {
            assertFinite(
                    value.getArray().getGradient().toFloatArray(),
                    where + ": the gradient of the layer's '" + value.getName() + "'");
        }
    }
}
