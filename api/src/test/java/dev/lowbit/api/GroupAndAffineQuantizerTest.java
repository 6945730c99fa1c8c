package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** An alphabet quantizer per group ({@code @rule/group:G}) and with a zero point ({@code @minmax}). */
class GroupAndAffineQuantizerTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(17);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static AlphabetQuantizer quantizer(Alphabet alphabet, String setting) {
        return new AlphabetQuantizer("test", "test", alphabet, ScaleRules.parse(setting));
    }

    private NDArray weights(long... shape) {
        return manager.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32);
    }

    @Test
    void perGroupScalesAreCompactAndEveryOtherMethodUsesEachWeightsGroupScale() {
        AlphabetQuantizer k9 = quantizer(Alphabet.symmetricWithZero(9), "absmax/group:8");
        AlphabetCodes codes = new AlphabetCodes(Alphabet.symmetricWithZero(9));
        for (long[] shape : new long[][] {{12, 30}, {6, 3, 5, 5}}) {
            NDArray w = weights(shape);
            NDArray scale = k9.scale(w);
            assertThat(scale.getShape()).isEqualTo(Granularity.group(8).scaleShape(w.getShape()));
            assertThat(scale.size()).isEqualTo(k9.scaleCount(shape));
            NDArray perWeight = Granularity.group(8).expand(scale, w.getShape());

            NDArray coded = k9.codes(w, scale);

            assertThat(coded.toFloatArray())
                    .containsExactly(codes.codes(w.div(perWeight)).toFloatArray());
            NDArray expected = codes.values(coded).mul(perWeight);
            assertThat(k9.decode(coded, scale).toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(k9.quantize(w, scale).toFloatArray()).containsExactly(expected.toFloatArray());
            assertThat(k9.quantize(w).toFloatArray()).containsExactly(expected.toFloatArray());
            // u = W / s / 4 for {-4..4}: the outermost levels at +-1.
            assertThat(k9.normalized(w, scale).toFloatArray())
                    .containsExactly(w.div(perWeight).mul(0.25f).toFloatArray());
        }
        assertThat(k9.granularity()).isEqualTo(Granularity.group(8));
        assertThat(k9.scaleRule()).isEqualTo("absmax/group:8");
    }

    @Test
    void perTensorAndPerChannelQuantizeAsBeforeGroupsExisted() {
        NDArray w = weights(6, 3, 5, 5);
        AlphabetCodes codes = new AlphabetCodes(Alphabet.symmetricWithZero(3));
        for (String setting : new String[] {"absmean/tensor", "mse/channel"}) {
            AlphabetQuantizer ternary = quantizer(Alphabet.symmetricWithZero(3), setting);
            NDArray scale = ternary.scale(w);
            assertThat(ternary.quantize(w).toFloatArray())
                    .as(setting)
                    .containsExactly(codes.snap(w.div(scale)).mul(scale).toFloatArray());
            assertThat(ternary.affine()).isFalse();
            assertThat(ternary.scaleCount(new long[] {6, 3, 5, 5})).isEqualTo(setting.endsWith("tensor") ? 1 : 6);
        }
    }

    /** Two channels worked by hand on {0, 1, 2, 3}: both with s a power of two and z = 1. */
    @Test
    void affineCodesAreTheNearestOfWOverSPlusZAndDecodeToValueMinusZTimesS() {
        AlphabetQuantizer twoBits = quantizer(Alphabet.of(0, 1, 2, 3), "minmax/channel");
        NDArray w = manager.create(new float[] {-0.25f, 0f, 0.25f, 0.5f, -0.5f, -0.125f, 0.25f, 1f}, new Shape(2, 4));

        NDArray scale = twoBits.scale(w);

        assertThat(twoBits.affine()).isTrue();
        assertThat(scale.getShape()).as("planes, then the per-channel shape").isEqualTo(new Shape(2, 2, 1));
        assertThat(scale.toFloatArray()).containsExactly(0.25f, 0.5f, 1f, 1f);
        assertThat(twoBits.scaleCount(new long[] {2, 4})).isEqualTo(4);
        NDArray coded = twoBits.codes(w, scale);
        // W / s + z: [0, 1, 2, 3] and [0, 0.75, 1.5, 3]; 1.5 rounds to the even 2.
        assertThat(coded.toFloatArray()).containsExactly(0, 1, 2, 3, 0, 1, 2, 3);
        assertThat(twoBits.decode(coded, scale).toFloatArray())
                .containsExactly(-0.25f, 0f, 0.25f, 0.5f, -0.5f, 0f, 0.5f, 1f);
        assertThat(twoBits.quantize(w).toFloatArray()).containsExactly(-0.25f, 0f, 0.25f, 0.5f, -0.5f, 0f, 0.5f, 1f);
        // u = (2 (W / s + z) - 3) / 3
        float[] u = twoBits.normalized(w, scale).toFloatArray();
        float[] expected = {-1, -1 / 3f, 1 / 3f, 1, -1, -0.5f, 0, 1};
        for (int i = 0; i < u.length; i++) {
            assertThat((double) u[i]).isCloseTo(expected[i], within(1e-6));
        }
    }

    @Test
    void affineTernaryKeepsAZeroWeightExactlyZero() {
        AlphabetQuantizer ternary = quantizer(Alphabet.symmetricWithZero(3), "minmax/tensor");
        NDArray w = manager.create(new float[] {-0.3f, 0f, 0.7f, 0.2f});
        NDArray scale = ternary.scale(w);
        assertThat(scale.getShape()).isEqualTo(new Shape(2));
        assertThat(ternary.quantize(w).toFloatArray()).containsExactly(-0.5f, 0f, 0.5f, 0f);
    }

    @Test
    void affinePerGroupStacksCompactScalesAndZeroPointsAndDecodesEachWeightWithItsGroups() {
        AlphabetQuantizer k4 = quantizer(Alphabet.of(-2, -1, 0, 1), "minmax/group:8");
        NDArray w = weights(12, 30);
        NDArray scale = k4.scale(w);
        assertThat(scale.getShape()).isEqualTo(new Shape(2, 12, 4));
        assertThat(k4.scaleCount(new long[] {12, 30})).isEqualTo(96);
        NDArray s = Granularity.group(8).expand(scale.get(0), w.getShape());
        NDArray z = Granularity.group(8).expand(scale.get(1), w.getShape());
        AlphabetCodes codes = new AlphabetCodes(Alphabet.of(-2, -1, 0, 1));

        NDArray coded = k4.codes(w, scale);

        assertThat(coded.toFloatArray())
                .containsExactly(codes.codes(w.div(s).add(z)).toFloatArray());
        NDArray expected = codes.values(coded).sub(z).mul(s);
        assertThat(k4.decode(coded, scale).toFloatArray()).containsExactly(expected.toFloatArray());
        assertThat(k4.quantize(w).toFloatArray()).containsExactly(expected.toFloatArray());
    }
}
