package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class FcnnArchitectureTest {

    static final class Ternary extends AlphabetQuantizer {
        Ternary() {
            super("test-ternary", "test", Alphabet.symmetricWithZero(3));
        }
    }

    @Test
    void serviceLoaderFindsBothSizes() {
        assertThat(ServiceLoader.load(Architecture.class).stream().map(p -> p.get().id()))
                .containsExactlyInAnyOrder("fcnn-small", "fcnn-large");
    }

    @Test
    void smallHasTheDocumentedParameterCountAndOutputShape() {
        assertBuilds(new FcnnSmallArchitecture(), 784L * 128 + 128 + 128L * 10 + 10, 784L * 128 + 128L * 10);
    }

    @Test
    void largeHasTheDocumentedParameterCount() {
        assertBuilds(new FcnnLargeArchitecture(),
                784L * 1024 + 1024 + 1024L * 1024 + 1024 + 1024L * 10 + 10,
                784L * 1024 + 1024L * 1024 + 1024L * 10);
    }

    private static void assertBuilds(Architecture architecture, long parameters, long quantizedWeights) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = architecture.build(new Shape(1, 28, 28), 10, new Ternary());
            net.setInitializer(new NormalInitializer(0.05f), Parameter.Type.WEIGHT);
            net.initialize(manager, DataType.FLOAT32, new Shape(2, 1, 28, 28));

            NDArray logits = net.forward(new ParameterStore(manager, false),
                    new NDList(manager.randomNormal(new Shape(2, 1, 28, 28))), false).singletonOrThrow();
            MemoryRecord memory = MemoryAccounting.of(net);

            assertThat(logits.getShape()).isEqualTo(new Shape(2, 10));
            assertThat(memory.parameters()).isEqualTo(parameters);
            assertThat(memory.quantizedWeights()).isEqualTo(quantizedWeights);
        }
    }
}
