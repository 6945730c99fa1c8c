package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import org.junit.jupiter.api.Test;

class IntActivationQuantizerTest extends EngineTest {

    private static final NDList NONE = new NDList();

    /** clip(round(x / s), -Qp - 1, Qp) s in float32, as the equations write it. */
    private static float[] expected(float[] x, float s, int largest) {
        float[] q = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            q[i] = Math.max(-largest - 1, Math.min(largest, Math.round(x[i] / s))) * s;
        }
        return q;
    }

    private NDArray quantize(ActivationQuantizer quantizer, NDArray x) {
        return quantizer.quantize(x, quantizer.scale(x, NONE), QuantizationContext.EVALUATION);
    }

    @Test
    void int8ScalesEachTokenByItsLargestMagnitudeOver127() {
        ActivationQuantizer int8 = new Int8ActivationQuantizer();
        assertThat(int8.spec()).isEqualTo("int8@absmax/token");
        assertThat(int8.bits()).isEqualTo(8.0);
        float[] first = {0.5f, -1.3f, 0.011f, 2.54f};
        float[] second = {-0.2f, 0.1f, 0.03f, 0.07f};
        NDArray x = matrix(first, second);
        NDArray scale = int8.scale(x, NONE);
        assertThat(scale.getShape()).isEqualTo(new Shape(2, 1));
        assertCloseTo(scale, 2.54f / 127, 0.2f / 127);
        NDArray quantized = quantize(int8, x);
        assertCloseTo(quantized.get(0), expected(first, 2.54f / 127, 127));
        assertCloseTo(quantized.get(1), expected(second, 0.2f / 127, 127));
        // 2.54 / 0.02 = 127 is the top level; 0.011 / 0.02 = 0.55 rounds to 1.
        assertCloseTo(quantized.get(0), 0.5f, -1.3f, 0.02f, 2.54f);
    }

    @Test
    void int8PerTensorUsesOneScale() {
        ActivationQuantizer int8 = new Int8ActivationQuantizer().configure("@absmax/tensor");
        assertThat(int8).isExactlyInstanceOf(Int8ActivationQuantizer.class);
        assertThat(int8.spec()).isEqualTo("int8@absmax/tensor");
        float[] values = {0.5f, -1.3f, 0.011f, 2.54f, -0.2f, 0.1f, 0.03f, 0.07f};
        NDArray x = manager.create(values, new Shape(2, 4));
        NDArray scale = int8.scale(x, NONE);
        assertThat(scale.getShape()).isEqualTo(new Shape());
        assertCloseTo(quantize(int8, x), expected(values, 2.54f / 127, 127));
    }

    @Test
    void int4RoundsOntoMinusEightToSevenSteps() {
        ActivationQuantizer int4 = new Int4ActivationQuantizer();
        assertThat(int4.spec()).isEqualTo("int4@absmax/token");
        assertThat(int4.bits()).isEqualTo(4.0);
        // s = 1 / 7: x / s = 4.9 -7 0.35 2.45 -> 5 -7 0 2.
        NDArray x = matrix(new float[] {0.7f, -1f, 0.05f, 0.35f});
        assertCloseTo(quantize(int4, x), 5 / 7f, -1f, 0f, 2 / 7f);
        assertCloseTo(int4.normalized(x, int4.scale(x, NONE)), 0.7f, -1f, 0.05f, 0.35f);
    }

    @Test
    void aTokenIsTheLastAxisUpToRankThreeAndTheChannelsOfAConvolutionInput() {
        ActivationQuantizer int8 = new Int8ActivationQuantizer();
        NDArray sequence = manager.create(new float[] {1, -2, 3, 4, 5, -6}, new Shape(1, 2, 3));
        NDArray sequenceScale = int8.scale(sequence, NONE);
        assertThat(sequenceScale.getShape()).isEqualTo(new Shape(1, 2, 1));
        assertCloseTo(sequenceScale, 3 / 127f, 6 / 127f);
        // (batch 1, channels 2, height 1, width 3): one scale per pixel, over the two channels.
        NDArray image = manager.create(new float[] {1, -2, 3, 4, 5, -0.5f}, new Shape(1, 2, 1, 3));
        NDArray imageScale = int8.scale(image, NONE);
        assertThat(imageScale.getShape()).isEqualTo(new Shape(1, 1, 1, 3));
        assertCloseTo(imageScale, 4 / 127f, 5 / 127f, 3 / 127f);
    }

    @Test
    void anAllZeroTokenStaysZero() {
        ActivationQuantizer int8 = new Int8ActivationQuantizer();
        NDArray x = matrix(new float[] {0, 0, 0}, new float[] {1, 0, -1});
        assertThat(quantize(int8, x).toFloatArray()).containsExactly(0, 0, 0, 1, 0, -1);
    }

    @Test
    void explainsAnUnknownOption() {
        assertThatThrownBy(() -> new Int8ActivationQuantizer().configure(":4"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Activation quantizer 'int8' takes '@absmax/token' (the default) or '@absmax/tensor', got"
                        + " ':4'; e.g. int8@absmax/tensor.");
        ActivationQuantizer perToken = new Int4ActivationQuantizer();
        assertThat(perToken.configure("")).isSameAs(perToken);
        assertThat(perToken.configure("@absmax").spec()).isEqualTo("int4@absmax/token");
        assertThat(perToken.configure("@absmax/tensor")
                        .configure("@absmax/token")
                        .spec())
                .isEqualTo("int4@absmax/token");
    }
}
