package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every architecture passes, built-in or third-party: extend this class, return your
 * architecture and its documented sizes. It ships in lowbit-api's test-jar and runs on the real engine.
 */
public abstract class ArchitectureContract {

    /** Fashion-MNIST's image. */
    protected static final Shape GRAY_28 = new Shape(1, 28, 28);
    /** CIFAR-10's image. */
    protected static final Shape COLOUR_32 = new Shape(3, 32, 32);

    private static final Quantizer TERNARY = new AlphabetQuantizer("contract-ternary", "ternary for tests",
            Alphabet.symmetricWithZero(3), ScaleRules.parse("absmean"));

    protected NDManager manager;

    /** The architecture under test. */
    protected abstract Architecture architecture();

    /** Its documented parameter count for 1x28x28 inputs and 10 classes. */
    protected abstract long documentedParameters();

    /** How many weights the policy quantizes, for 1x28x28 inputs and 10 classes. */
    protected abstract long quantizedWeights(LayerPolicy policy);

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Builds and initialises the architecture for a batch of two images. */
    protected Block built(Shape image, Quantizer quantizer, LayerPolicy policy) {
        Block block = architecture().build(image, 10, quantizer, policy);
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(2).addAll(image));
        return block;
    }

    private NDArray images(Shape image) {
        return manager.randomNormal(new Shape(2).addAll(image));
    }

    @Test
    void producesLogitsForGrayAndColourImages() {
        for (Shape image : new Shape[] {GRAY_28, COLOUR_32}) {
            Block block = built(image, TERNARY, LayerPolicy.ALL);
            NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(images(image)), false)
                    .singletonOrThrow();
            assertThat(logits.getShape()).as("%s", image).isEqualTo(new Shape(2, 10));
        }
    }

    @Test
    void hasTheDocumentedParameterCount() {
        assertThat(MemoryAccounting.of(built(GRAY_28, TERNARY, LayerPolicy.ALL)).parameters())
                .isEqualTo(documentedParameters());
    }

    @ParameterizedTest
    @EnumSource(LayerPolicy.class)
    void quantizesExactlyTheWeightsItsLayerPolicyNames(LayerPolicy policy) {
        assertThat(MemoryAccounting.of(built(GRAY_28, TERNARY, policy)).quantizedWeights())
                .isEqualTo(quantizedWeights(policy));
    }

    @Test
    void everyQuantizedShadowWeightGetsAGradientFromOneTrainingStep() {
        Block block = built(GRAY_28, TERNARY, LayerPolicy.ALL);
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(images(GRAY_28)), true)
                    .singletonOrThrow();
            NDArray loss = Loss.softmaxCrossEntropyLoss().evaluate(new NDList(manager.create(new float[] {3, 7})),
                    new NDList(logits));
            tape.backward(loss);
        }
        for (QuantizedBlock layer : MemoryAccounting.quantizedBlocks(block)) {
            NDArray gradient = layer.quantizedWeight().weight().getArray().getGradient();
            assertThat(gradient.abs().sum().getFloat()).as("gradient of %s", layer).isPositive();
        }
    }

    @Test
    void eachQuantizedLayerComputesItsFp32OperationOnHandQuantizedWeights() {
        Block block = built(GRAY_28, TERNARY, LayerPolicy.ALL);
        // Run once so every layer knows its input shape.
        block.forward(new ParameterStore(manager, false), new NDList(images(GRAY_28)), false);
        for (QuantizedBlock layer : MemoryAccounting.quantizedBlocks(block)) {
            Shape input = layer.getInputShapes()[0];
            NDArray x = manager.randomNormal(input);
            NDArray weights = layer.quantizedWeight().weight().getArray();
            NDArray bias = layer.getDirectParameters().get("bias").getArray();
            NDArray byHand = TERNARY.quantize(weights);
            NDArray expected;
            if (layer instanceof QuantizedLinear) {
                expected = Linear.linear(x, byHand, bias).singletonOrThrow();
            } else if (layer instanceof QuantizedConv2d conv) {
                expected = Conv2d.conv2d(x, byHand, bias, new Shape(conv.stride(), conv.stride()),
                        new Shape(conv.padding(), conv.padding()), new Shape(1, 1), 1).singletonOrThrow();
            } else {
                throw new AssertionError("No hand computation for " + layer.getClass() + "; extend this test");
            }
            NDArray actual = layer.forward(new ParameterStore(manager, false), new NDList(x), false).singletonOrThrow();
            assertThat(actual.allClose(expected, 1e-5, 1e-6, false)).as("%s", layer).isTrue();
        }
    }
}
