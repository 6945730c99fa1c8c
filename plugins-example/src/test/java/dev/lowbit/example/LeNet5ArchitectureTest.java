package dev.lowbit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.testkit.ArchitectureContract;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** lenet-5 against lowbit's architecture contract (lowbit-testkit). */
class LeNet5ArchitectureTest extends ArchitectureContract {

    private static final long CONV1 = 6L * 1 * 5 * 5;
    private static final long CONV2 = 16L * 6 * 5 * 5;
    private static final long FC1 = 16L * 5 * 5 * 120;
    private static final long FC2 = 120L * 84;
    private static final long FC3 = 84L * 10;

    @Override
    protected Architecture architecture() {
        return new LeNet5Architecture();
    }

    @Override
    protected long documentedParameters() {
        // Weights plus one bias per output: 156 + 2,416 + 48,120 + 10,164 + 850 = 61,706.
        return CONV1 + 6 + CONV2 + 16 + FC1 + 120 + FC2 + 84 + FC3 + 10;
    }

    @Override
    protected long quantizedWeights(LayerPolicy policy) {
        long middle = CONV2 + FC1 + FC2;
        return switch (policy) {
            case ALL -> CONV1 + middle + FC3;
            case FP32_FIRST -> middle + FC3;
            case FP32_LAST -> CONV1 + middle;
            case FP32_FIRST_LAST -> middle;
        };
    }

    @Test
    void hasTheParameterCountItsJavadocStates() {
        assertThat(documentedParameters()).isEqualTo(61_706);
    }

    @Test
    void isRegisteredForServiceLoader() {
        assertThat(ServiceLoader.load(Architecture.class).stream()
                        .map(p -> p.get().id()))
                .containsExactly("lenet-5");
    }

    @Test
    void saysWhichInputsAreTooSmall() {
        assertThatThrownBy(() -> architecture().build(new Shape(1, 8, 8), 10, null, LayerPolicy.ALL))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("lenet-5 needs (channels, height, width) input of at least 12x12, got (1, 8, 8)");
    }
}
