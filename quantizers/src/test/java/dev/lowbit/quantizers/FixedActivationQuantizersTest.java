package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/** DoReFa's and sign activations, and what every built-in activation quantizer shares. */
class FixedActivationQuantizersTest extends EngineTest {

    private static final NDList NONE = new NDList();

    @Test
    void serviceLoaderFindsEveryBuiltInActivationQuantizerWithItsDefaultSpec() {
        assertThat(ServiceLoader.load(ActivationQuantizer.class).stream()
                        .map(p -> p.get().configure("").spec()))
                .containsExactly("int8@absmax/token", "int4@absmax/token", "pact:4", "dorefa:4", "lsq:4", "sign");
        assertThat(ServiceLoader.load(ActivationQuantizer.class).stream()
                        .map(p -> p.get().description()))
                .allSatisfy(description ->
                        assertThat(description).containsPattern("et al\\. \\d{4}, arXiv:\\d{4}\\.\\d{4,5}\\)$"));
    }

    @Test
    void configuringKeepsTheClassAndSpellsTheSpecOut() {
        for (ActivationQuantizer quantizer : ServiceLoader.load(ActivationQuantizer.class)) {
            ActivationQuantizer configured = quantizer.configure("");
            assertThat(configured).as(quantizer.id()).isExactlyInstanceOf(quantizer.getClass());
            assertThat(configured.spec()).as(quantizer.id()).startsWith(quantizer.id());
        }
    }

    @Test
    void dorefaRoundsTheInputClippedToZeroOneOntoKBitSteps() {
        ActivationQuantizer dorefa = new DorefaActivationQuantizer().configure(":2");
        assertThat(dorefa.spec()).isEqualTo("dorefa:2");
        assertThat(dorefa.bits()).isEqualTo(2.0);
        // round(clip(x, 0, 1) 3) / 3: 3x = -0.6 0.3 0.6 1.35 2.7 4.2 -> 0 0 1 1 3 3.
        NDArray x = vector(-0.2f, 0.1f, 0.2f, 0.45f, 0.9f, 1.4f);
        NDArray scale = dorefa.scale(x, NONE);
        assertThat(scale.getFloat()).isEqualTo(1 / 3f);
        assertCloseTo(dorefa.quantize(x, scale, QuantizationContext.EVALUATION), 0, 0, 1 / 3f, 1 / 3f, 1, 1);
        NDArray u = dorefa.normalized(x, scale);
        assertCloseTo(u, -1.4f, -0.8f, -0.6f, -0.1f, 0.8f, 1.8f);
        assertThat(dorefa.estimator().derivative(u).toFloatArray()).containsExactly(0, 1, 1, 1, 1, 0);
        assertThatThrownBy(() -> dorefa.configure(":0"))
                .hasMessage("'dorefa:0' names no bit count: write dorefa:K with K from 1 to 8, e.g. dorefa:4.");
    }

    @Test
    void signIsMinusOneBelowZeroAndPlusOneFromZeroOn() {
        ActivationQuantizer sign = new SignActivationQuantizer();
        assertThat(sign.spec()).isEqualTo("sign");
        assertThat(sign.bits()).isEqualTo(1.0);
        NDArray x = vector(-2f, -0.5f, 0f, 0.3f, 1.5f);
        NDArray scale = sign.scale(x, NONE);
        assertThat(sign.quantize(x, scale, QuantizationContext.EVALUATION).toFloatArray())
                .containsExactly(-1, -1, 1, 1, 1);
        assertThat(sign.estimator().derivative(sign.normalized(x, scale)).toFloatArray())
                .containsExactly(0, 1, 1, 1, 0);
        assertThatThrownBy(() -> sign.configure(":2"))
                .hasMessage("Activation quantizer 'sign' takes no options (got ':2').");
    }
}
