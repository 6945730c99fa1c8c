package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.testkit.ArchitectureContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CnnArchitectureTest {

    /** Weights plus bias of a 3x3 convolution. */
    private static long conv(long in, long out) {
        return in * out * 9 + out;
    }

    /** gamma, beta, running mean and running variance of a batch norm. */
    private static long batchNorm(long channels) {
        return 4 * channels;
    }

    @Test
    void largeHasAtLeastTenTimesTheParametersOfSmall() {
        assertThat(new Large().documentedParameters()).isGreaterThanOrEqualTo(10 * new Small().documentedParameters());
    }

    @Nested
    class Small extends ArchitectureContract {
        @Override
        protected Architecture architecture() {
            return new CnnSmallArchitecture();
        }

        @Override
        protected long documentedParameters() {
            // 28 -> 14 -> 7 after two poolings: 64 x 7 x 7 features.
            return conv(1, 32) + batchNorm(32) + conv(32, 64) + batchNorm(64) + 64L * 7 * 7 * 10 + 10;
        }

        @Override
        protected long quantizedWeights(LayerPolicy policy) {
            long first = 32L * 9;
            long middle = 32L * 64 * 9;
            long last = 64L * 7 * 7 * 10;
            return switch (policy) {
                case ALL -> first + middle + last;
                case FP32_FIRST -> middle + last;
                case FP32_LAST -> first + middle;
                case FP32_FIRST_LAST -> middle;
            };
        }
    }

    @Nested
    class Large extends ArchitectureContract {
        @Override
        protected Architecture architecture() {
            return new CnnLargeArchitecture();
        }

        @Override
        protected long documentedParameters() {
            // 28 -> 14 -> 7 -> 3 after three poolings: 128 x 3 x 3 features.
            return conv(1, 32)
                    + batchNorm(32)
                    + conv(32, 64)
                    + batchNorm(64)
                    + conv(64, 128)
                    + batchNorm(128)
                    + 128L * 3 * 3 * 512
                    + 512
                    + 512L * 10
                    + 10;
        }

        @Override
        protected long quantizedWeights(LayerPolicy policy) {
            long first = 32L * 9;
            long middle = 32L * 64 * 9 + 64L * 128 * 9 + 128L * 3 * 3 * 512;
            long last = 512L * 10;
            return switch (policy) {
                case ALL -> first + middle + last;
                case FP32_FIRST -> middle + last;
                case FP32_LAST -> first + middle;
                case FP32_FIRST_LAST -> middle;
            };
        }
    }
}
