package dev.lowbit.architectures;

import static dev.lowbit.architectures.VitFixtures.CIFAR;
import static dev.lowbit.architectures.VitFixtures.FASHION_MNIST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.MalformedModelException;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.MemoryRecord;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VitArchitectureTest {

    @Test
    void serviceLoaderFindsBothVitSizesWithTheirSizesInTheDescription() {
        assertThat(ServiceLoader.load(Architecture.class).stream()
                        .map(ServiceLoader.Provider::get)
                        .filter(a -> a.id().startsWith("vit-"))
                        .map(a -> a.id() + ": " + a.description()))
                .containsExactlyInAnyOrder(
                        "vit-small: ViT: 4x4 patches, dim 48, depth 3, heads 3, mlp 96, pre-norm, class token",
                        "vit-large: ViT: 4x4 patches, dim 128, depth 6, heads 4, mlp 256, pre-norm, class token");
    }

    @ParameterizedTest
    @CsvSource({"vit-small, 1, 28", "vit-small, 3, 32", "vit-large, 1, 28", "vit-large, 3, 32"})
    void producesOneLogitPerClassForEachImage(String id, int channels, int size) {
        Shape example = new Shape(channels, size, size);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = VitFixtures.initialised(
                    VitFixtures.byId(id), example, VitFixtures.ternary(), LayerPolicy.ALL, manager, 3);
            NDArray logits = net.forward(
                            new ParameterStore(manager, false),
                            new NDList(manager.randomNormal(new Shape(3).addAll(example))),
                            false)
                    .singletonOrThrow();

            assertThat(logits.getShape()).isEqualTo(new Shape(3, 10));
            assertThat(net.getOutputShapes(new Shape[] {new Shape(3).addAll(example)}))
                    .containsExactly(new Shape(3, 10));
            assertThat(logits.isInfinite().any().getBoolean()
                            || logits.isNaN().any().getBoolean())
                    .isFalse();
        }
    }

    @Test
    void savedParametersRestoreTheSameLogits() throws IOException, MalformedModelException {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block trained = VitFixtures.initialised(
                    new VitSmallArchitecture(), CIFAR, VitFixtures.ternary(), LayerPolicy.ALL, manager, 2);
            ByteArrayOutputStream saved = new ByteArrayOutputStream();
            trained.saveParameters(new DataOutputStream(saved));
            Engine.getInstance().setRandomSeed(7);
            Block restored = new VitSmallArchitecture().build(CIFAR, 10, VitFixtures.ternary());
            restored.initialize(manager, DataType.FLOAT32, new Shape(2, 3, 32, 32));
            restored.loadParameters(manager, new DataInputStream(new ByteArrayInputStream(saved.toByteArray())));
            NDList images = new NDList(manager.randomNormal(new Shape(2, 3, 32, 32)));
            ParameterStore parameters = new ParameterStore(manager, false);

            assertThat(restored.forward(parameters, images, false)
                            .singletonOrThrow()
                            .allClose(trained.forward(parameters, images, false).singletonOrThrow(), 1e-6, 1e-6, false))
                    .isTrue();
        }
    }

    @Test
    void rejectsAnImageThatDoesNotSplitIntoAFourByFourGrid() {
        assertThatThrownBy(() -> new VitSmallArchitecture().build(new Shape(1, 30, 30), 10, VitFixtures.ternary()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "vit-small needs square (channels, height, width) input with height and width divisible by 4"
                                + " (a 4x4 grid of patches), got (1, 30, 30)");
        assertThatThrownBy(() -> new VitLargeArchitecture().build(new Shape(3, 32, 28), 10, VitFixtures.ternary()))
                .hasMessage(
                        "vit-large needs square (channels, height, width) input with height and width divisible by 4"
                                + " (a 4x4 grid of patches), got (3, 32, 28)");
    }

    @Test
    void smallHasTheDocumentedParameterCounts() {
        // Patch conv 49*48+48, class token 48, positions 17*48; per block 2 layer norms (4*48),
        // 4 projections 4*(48*48+48), MLP 48*96+96 + 96*48+48; final norm 96; classifier 48*10+10.
        assertCounts(new VitSmallArchitecture(), FASHION_MNIST, 60_730, 58_128);
        assertCounts(new VitSmallArchitecture(), CIFAR, 67_594, 64_992);
    }

    @Test
    void largeHasTheDocumentedParameterCountsAtLeastTenTimesSmall() {
        assertCounts(new VitLargeArchitecture(), FASHION_MNIST, 805_130, 793_984);
        assertCounts(new VitLargeArchitecture(), CIFAR, 823_434, 812_288);
        assertThat(805_130L).isGreaterThanOrEqualTo(10L * 60_730);
    }

    private static void assertCounts(Architecture architecture, Shape example, long parameters, long quantized) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net =
                    VitFixtures.initialised(architecture, example, VitFixtures.ternary(), LayerPolicy.ALL, manager, 1);
            MemoryRecord memory = MemoryAccounting.of(net);

            assertThat(memory.parameters()).as("parameters").isEqualTo(parameters);
            assertThat(memory.quantizedWeights()).as("quantized weights").isEqualTo(quantized);
        }
    }
}
