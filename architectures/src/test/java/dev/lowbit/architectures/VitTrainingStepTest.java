package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.loss.Loss;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.spi.LayerPolicy;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VitTrainingStepTest {

    @ParameterizedTest
    @CsvSource({"vit-small, 20", "vit-large, 38"})
    void everyQuantizedWeightAndBothEmbeddingsGetAGradientFromOneTernaryStep(String id, int quantizedTensors) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = VitFixtures.initialised(
                    VitFixtures.byId(id),
                    VitFixtures.FASHION_MNIST,
                    VitFixtures.ternary(),
                    LayerPolicy.ALL,
                    manager,
                    4);
            NDArray images = manager.randomNormal(new Shape(4, 1, 28, 28));
            NDArray labels = manager.create(new float[] {0, 3, 7, 9});

            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(images), true)
                        .singletonOrThrow();
                tape.backward(Loss.softmaxCrossEntropyLoss().evaluate(new NDList(labels), new NDList(logits)));
            }

            List<QuantizedBlock> quantized = QuantizedBlocks.in(net);
            assertThat(quantized).hasSize(quantizedTensors);
            for (QuantizedBlock block : quantized) {
                NDArray gradient = block.quantizedWeight().weight().getArray().getGradient();
                assertThat(gradient.abs().sum().getFloat())
                        .as("gradient of %s", block)
                        .isPositive();
            }
            assertThat(gradientNorm(net, "classToken")).isPositive();
            assertThat(gradientNorm(net, "positionEmbedding")).isPositive();
        }
    }

    @ParameterizedTest
    @CsvSource({"vit-small", "vit-large"})
    void aTrainingStepLeavesNoArrayInTheParametersManager(String id) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = VitFixtures.initialised(
                    VitFixtures.byId(id),
                    VitFixtures.FASHION_MNIST,
                    VitFixtures.ternary(),
                    LayerPolicy.ALL,
                    manager,
                    4);
            ParameterStore parameters = new ParameterStore(manager, false);
            int before = manager.getManagedArrays().size();
            // Like the trainer: everything a batch creates should die with the batch's manager.
            try (NDManager batch = manager.newSubManager();
                    GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray logits = net.forward(parameters, new NDList(batch.randomNormal(new Shape(4, 1, 28, 28))), true)
                        .singletonOrThrow();
                tape.backward(logits.sum());
            }

            assertThat(manager.getManagedArrays()).hasSize(before);
        }
    }

    private static float gradientNorm(Block net, String suffix) {
        Pair<String, Parameter> found = net.getParameters().stream()
                .filter(p -> p.getKey().endsWith("_" + suffix))
                .findFirst()
                .orElseThrow();
        return found.getValue().getArray().getGradient().abs().sum().getFloat();
    }
}
