package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.testkit.QuantizerContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** XNOR-Net, TWN and BitNet b1.58: a scale and a sign pattern by their papers' equations. */
class TernaryAndBinarySchemesTest extends EngineTest {

    private NDArray weights() {
        return matrix(new float[] {0.9f, -0.1f, 0.3f, -0.6f}, new float[] {0.5f, -1.8f, 0.05f, 1.2f});
    }

    @Test
    void xnorScalesEachOutputChannelByItsMeanMagnitude() {
        XnorQuantizer xnor = new XnorQuantizer();
        assertThat(xnor.spec()).isEqualTo("xnor@absmean/channel");
        // Row means of |W|: 1.9 / 4 = 0.475 and 3.55 / 4 = 0.8875.
        NDArray scale = xnor.scale(weights());
        assertThat(scale.getShape()).isEqualTo(new Shape(2, 1));
        assertCloseTo(scale, 0.475f, 0.8875f);
        assertCloseTo(xnor.quantize(weights()), 0.475f, -0.475f, 0.475f, -0.475f, 0.8875f, -0.8875f, 0.8875f, 0.8875f);
        assertThat(xnor.scaleCount(new long[] {2, 4})).isEqualTo(2);
    }

    @Test
    void xnorTakesNoOtherScaleRule() {
        XnorQuantizer xnor = new XnorQuantizer();
        assertThat(xnor.withScaleRule(ScaleRules.parse("absmean/channel"))).isSameAs(xnor);
        assertThatThrownBy(() -> xnor.withScaleRule(ScaleRules.parse("absmax")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Quantizer 'xnor' has its own scale rule 'absmean/channel' and takes no other (asked for"
                        + " 'absmax/tensor').");
    }

    @Test
    void twnThresholdsAtSevenTenthsOfTheMeanMagnitudeAndScalesByTheMeanBeyondIt() {
        TwnQuantizer twn = new TwnQuantizer();
        NDArray w = matrix(new float[] {0.9f, -0.1f, 0.3f, -0.6f}, new float[] {0.5f, -1.8f, 0.1f, 1.2f});
        // mean|W| = 5.5 / 8 = 0.6875, delta = 0.48125: beyond it 0.9, -0.6, 0.5, -1.8, 1.2, whose mean |W| is 1.
        NDArray scale = twn.scale(w);
        assertThat(scale.getShape()).isEqualTo(new Shape());
        assertThat(scale.getFloat()).isCloseTo(1f, ROUND_OFF);
        NDArray codes = twn.codes(w, scale);
        assertThat(codes.toFloatArray()).containsExactly(2, 1, 1, 0, 2, 0, 1, 2);
        assertThat(twn.values(codes).toFloatArray()).containsExactly(1, 0, 0, -1, 1, -1, 0, 1);
        assertThat(twn.quantize(w, scale).toFloatArray())
                .containsExactly(twn.decode(codes, scale).toFloatArray());
        assertCloseTo(twn.quantize(w), 1, 0, 0, -1, 1, -1, 0, 1);
    }

    @Test
    void twnDecidesByTheThresholdNotByTheNearestLevel() {
        TwnQuantizer twn = new TwnQuantizer();
        // mean|W| = 1, delta = 0.7; beyond it 3 and 0.8 (alpha = 1.9): 0.8 is coded +1 though nearer 0 than 1.9.
        NDArray w = vector(3f, 0.8f, -0.1f, 0.1f);
        assertThat(twn.scale(w).getFloat()).isCloseTo(1.9f, ROUND_OFF);
        assertThat(twn.codes(w, twn.scale(w)).toFloatArray()).containsExactly(2, 2, 1, 1);
        assertThat(twn.spec()).isEqualTo("twn@twn/tensor");
        assertThat(twn.alphabet()).contains(Alphabet.of(-1, 0, 1));
    }

    @Test
    void twnOfAllZeroWeightsIsZeroAtTheSmallestScale() {
        TwnQuantizer twn = new TwnQuantizer();
        NDArray zeros = manager.zeros(new Shape(3, 2));
        assertThat(twn.scale(zeros).getFloat()).isEqualTo(1e-8f);
        assertThat(twn.quantize(zeros).toFloatArray()).containsOnly(0f);
    }

    @Test
    void bitnetRoundsWeightsOverTheirMeanMagnitudeOntoMinusOneZeroOne() {
        BitNetB158Quantizer bitnet = new BitNetB158Quantizer();
        assertThat(bitnet.spec()).isEqualTo("bitnet-b1.58@absmean/tensor");
        assertThat(bitnet.activations()).isEqualTo("int8@absmax/token");
        float[] w = weights().toFloatArray();
        float gamma = 0;
        for (float value : w) {
            gamma += Math.abs(value);
        }
        gamma /= w.length; // 0.68125
        float[] expected = new float[w.length];
        for (int i = 0; i < w.length; i++) {
            // RoundClip(W / gamma, -1, 1) * gamma
            expected[i] = Math.max(-1, Math.min(1, Math.round(w[i] / gamma))) * gamma;
        }
        assertCloseTo(bitnet.quantize(weights()), expected);
        assertThat(bitnet.values(bitnet.codes(weights(), bitnet.scale(weights())))
                        .toFloatArray())
                .containsExactly(1, 0, 0, -1, 1, -1, 0, 1);
    }

    @Nested
    class Xnor extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new XnorQuantizer();
        }
    }

    @Nested
    class Twn extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new TwnQuantizer();
        }
    }

    @Nested
    class BitNet extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new BitNetB158Quantizer();
        }
    }
}
