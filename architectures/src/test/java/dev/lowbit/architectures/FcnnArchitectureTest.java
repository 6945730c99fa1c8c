package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.testkit.ArchitectureContract;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class FcnnArchitectureTest {

    @Test
    void serviceLoaderFindsEveryBuiltInArchitecture() {
        assertThat(ServiceLoader.load(Architecture.class).stream()
                        .map(p -> p.get().id()))
                .containsExactlyInAnyOrder(
                        "fcnn-small", "fcnn-large", "cnn-small", "cnn-large", "vit-small", "vit-large");
    }

    @Nested
    class Small extends ArchitectureContract {
        @Override
        protected Architecture architecture() {
            return new FcnnSmallArchitecture();
        }

        @Override
        protected long documentedParameters() {
            return 784L * 128 + 128 + 128L * 10 + 10;
        }

        @Override
        protected long quantizedWeights(LayerPolicy policy) {
            long first = 784L * 128;
            long last = 128L * 10;
            return switch (policy) {
                case ALL -> first + last;
                case FP32_FIRST -> last;
                case FP32_LAST -> first;
                case FP32_FIRST_LAST -> 0;
            };
        }
    }

    @Nested
    class Large extends ArchitectureContract {
        @Override
        protected Architecture architecture() {
            return new FcnnLargeArchitecture();
        }

        @Override
        protected long documentedParameters() {
            return 784L * 1024 + 1024 + 1024L * 1024 + 1024 + 1024L * 10 + 10;
        }

        @Override
        protected long quantizedWeights(LayerPolicy policy) {
            long first = 784L * 1024;
            long middle = 1024L * 1024;
            long last = 1024L * 10;
            return switch (policy) {
                case ALL -> first + middle + last;
                case FP32_FIRST -> middle + last;
                case FP32_LAST -> first + middle;
                case FP32_FIRST_LAST -> middle;
            };
        }
    }
}
