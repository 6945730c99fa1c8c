package dev.lowbit.testkit;

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
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.packing.MemoryAccounting;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The contract every architecture passes, built-in or third-party: extend this class, return your
 * architecture and its documented sizes. It ships in lowbit-testkit and runs on the real engine.
 *
 * <p>Beyond shapes, sizes and gradients, a run configures every quantized layer after {@code build} and
 * before the model initialises (docs/SCHEMES.md, "Training"): the contract does so with trained weight
 * values, a trained input quantizer and a seeded generator, and checks that every layer takes its scheme and
 * trains with it, so that layer maps, estimators and activation quantizers work on the architecture without
 * a change to it.
 */
public abstract class ArchitectureContract {

    /** Fashion-MNIST's image. */
    protected static final Shape GRAY_28 = new Shape(1, 28, 28);
    /** CIFAR-10's image. */
    protected static final Shape COLOUR_32 = new Shape(3, 32, 32);

    private static final Quantizer TERNARY = new AlphabetQuantizer(
            "contract-ternary", "ternary for tests", Alphabet.symmetricWithZero(3), ScaleRules.parse("absmean"));

    /** Ternary with a trained step per output channel: each layer trains a value beside its weight. */
    private static final Quantizer LEARNED_TERNARY = new AlphabetQuantizer(
            "contract-ternary",
            "ternary for tests",
            Alphabet.symmetricWithZero(3),
            ScaleRules.parse("learned/channel"));

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
            NDArray loss = Loss.softmaxCrossEntropyLoss()
                    .evaluate(new NDList(manager.create(new float[] {3, 7})), new NDList(logits));
            tape.backward(loss);
        }
        for (QuantizedBlock layer : QuantizedBlocks.in(block)) {
            NDArray gradient = layer.quantizedWeight().weight().getArray().getGradient();
            assertThat(gradient.abs().sum().getFloat())
                    .as("gradient of %s", layer)
                    .isPositive();
        }
    }

    @Test
    void eachQuantizedLayerComputesItsFp32OperationOnHandQuantizedWeights() {
        Block block = built(GRAY_28, TERNARY, LayerPolicy.ALL);
        // Run once so every layer knows its input shape.
        block.forward(new ParameterStore(manager, false), new NDList(images(GRAY_28)), false);
        for (QuantizedBlock layer : QuantizedBlocks.in(block)) {
            Shape input = layer.getInputShapes()[0];
            NDArray x = manager.randomNormal(input);
            NDArray weights = layer.quantizedWeight().weight().getArray();
            NDArray bias = layer.getDirectParameters().get("bias").getArray();
            NDArray byHand = TERNARY.quantize(weights);
            NDArray expected;
            if (layer instanceof QuantizedLinear) {
                expected = Linear.linear(x, byHand, bias).singletonOrThrow();
            } else if (layer instanceof QuantizedConv2d conv) {
                expected = Conv2d.conv2d(
                                x,
                                byHand,
                                bias,
                                new Shape(conv.stride(), conv.stride()),
                                new Shape(conv.padding(), conv.padding()),
                                new Shape(1, 1),
                                1)
                        .singletonOrThrow();
            } else {
                throw new AssertionError("No hand computation for " + layer.getClass() + "; extend this test");
            }
            NDArray actual = layer.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();
            assertThat(actual.allClose(expected, 1e-5, 1e-6, false))
                    .as("%s", layer)
                    .isTrue();
        }
    }

    /**
     * Built and not yet initialised, every quantized layer takes a scheme (trained weight values and a trained
     * input quantizer) through {@link QuantizedBlock#configure}; then one training step runs every layer's
     * input through its own activation quantizer, and gives every shadow weight a gradient and every trained
     * value (the weight's and the input's) a finite one. Layer names, which layer maps select by, are distinct.
     */
    @Test
    void trainsALayerSchemeConfiguredOnEveryQuantizedLayerBeforeItInitialises() {
        Block block = architecture().build(GRAY_28, 10, TERNARY, LayerPolicy.ALL);
        List<QuantizedBlock> layers = QuantizedBlocks.in(block);
        assertThat(layers)
                .as("an architecture quantizes its weights through QuantizedBlocks (QuantizedLinear,"
                        + " QuantizedConv2d) registered as child blocks")
                .isNotEmpty();
        QuantizedWeight.nameAll(block);
        List<String> names = layers.stream()
                .map(layer -> layer.quantizedWeight().layerName())
                .toList();
        assertThat(new HashSet<>(names))
                .as("layer names %s, which layer maps select by", names)
                .hasSize(names.size());
        List<ContractFixtures.SymmetricClip> inputs = new ArrayList<>();
        QuantizerRandom random = new QuantizerRandom(11);
        for (QuantizedBlock layer : layers) {
            assertThat(layer.isInitialized())
                    .as("build() must return the model uninitialised, so that a run can" + " configure %s", layer)
                    .isFalse();
            ContractFixtures.SymmetricClip input = new ContractFixtures.SymmetricClip();
            inputs.add(input);
            layer.configure(new LayerScheme(LEARNED_TERNARY, GradientEstimator.STE, input), random);
        }
        block.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(2).addAll(GRAY_28));

        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray logits = block.forward(new ParameterStore(manager, false), new NDList(images(GRAY_28)), true)
                    .singletonOrThrow();
            assertThat(logits.getShape()).isEqualTo(new Shape(2, 10));
            tape.backward(Loss.softmaxCrossEntropyLoss()
                    .evaluate(new NDList(manager.create(new float[] {3, 7})), new NDList(logits)));
        }
        for (int i = 0; i < layers.size(); i++) {
            QuantizedWeight weight = layers.get(i).quantizedWeight();
            String layer = names.get(i);
            assertThat(inputs.get(i).calls)
                    .as(
                            "layer %s must run its input through its activation quantizer"
                                    + " (call quantizedWeight().quantizeInput in forwardInternal)",
                            layer)
                    .isPositive();
            assertThat(weight.weight().getArray().getGradient().abs().sum().getFloat())
                    .as("gradient of %s", layer)
                    .isPositive();
            List<Parameter> trained = new ArrayList<>(weight.trainedValues());
            trained.addAll(weight.inputValues());
            assertThat(trained)
                    .as("%s trains the weight's step and the input's clip", layer)
                    .hasSize(2);
            for (Parameter value : trained) {
                ContractAssertions.assertFinite(
                        value.getArray().getGradient().toFloatArray(),
                        "the gradient of " + layer + "'s '" + value.getName() + "'");
            }
        }
    }
}
