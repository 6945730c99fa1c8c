package dev.lowbit.api.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleSetting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code rule/group:G}: each group of G weights along an output channel's row gets the rule's own scale. */
class GroupScalesTest {

    private static final Alphabet K17 = Alphabet.symmetricWithZero(17);

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(13);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private NDArray weights(long... shape) {
        return manager.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32);
    }

    /** mean |w| or max |w| / 8 of each channel's weights [g G, min((g + 1) G, n)), in Java. */
    private static double[][] byHand(float[] w, int out, int n, int size, boolean mean) {
        int groups = (n + size - 1) / size;
        double[][] expected = new double[out][groups];
        for (int r = 0; r < out; r++) {
            for (int g = 0; g < groups; g++) {
                int end = Math.min((g + 1) * size, n);
                double sum = 0;
                double max = 0;
                for (int p = g * size; p < end; p++) {
                    sum += Math.abs(w[r * n + p]);
                    max = Math.max(max, Math.abs(w[r * n + p]));
                }
                expected[r][g] = mean ? sum / (end - g * size) : max / 8;
            }
        }
        return expected;
    }

    private static void assertScales(NDArray scale, double[][] expected, boolean exact) {
        int groups = expected[0].length;
        assertThat(scale.getShape()).isEqualTo(new Shape(expected.length, groups));
        float[] actual = scale.toFloatArray();
        for (int r = 0; r < expected.length; r++) {
            for (int g = 0; g < groups; g++) {
                if (exact) {
                    assertThat(actual[r * groups + g])
                            .as("group (%d, %d)", r, g)
                            .isEqualTo((float) expected[r][g]);
                } else {
                    assertThat((double) actual[r * groups + g])
                            .as("group (%d, %d)", r, g)
                            .isCloseTo(expected[r][g], within(1e-6 * expected[r][g]));
                }
            }
        }
    }

    @Test
    void givesALinearWeightOneScalePerGroupOfEightWithAShorterLastGroupOfSix() {
        NDArray w = weights(12, 30);
        float[] values = w.toFloatArray();

        NDArray absmean = ScaleRules.parse("absmean/group:8").scale(w, K17);
        NDArray absmax = ScaleRules.parse("absmax/group:8").scale(w, K17);

        assertScales(absmean, byHand(values, 12, 30, 8, true), false);
        // max |w| / 8: a maximum and a division by a power of two, exact in float32.
        assertScales(absmax, byHand(values, 12, 30, 8, false), true);
    }

    @Test
    void givesAConvKernelOneScalePerGroupOfSixteenOfEachFiltersWeightsInRowMajorOrder() {
        NDArray w = weights(6, 3, 5, 5);
        float[] values = w.toFloatArray();

        NDArray absmean = ScaleRules.parse("absmean/group:16").scale(w, K17);
        NDArray absmax = ScaleRules.parse("absmax/group:16").scale(w, K17);

        // 75 weights per filter: four groups of 16 and one of 11.
        assertScales(absmean, byHand(values, 6, 75, 16, true), false);
        assertScales(absmax, byHand(values, 6, 75, 16, false), true);
        assertThat(Granularity.group(16).scaleCount(new long[] {6, 3, 5, 5})).isEqualTo(30);
    }

    @Test
    void groupsThatDivideTheRowNeedNoTailAndOneGroupAsLongAsTheRowIsPerChannel() {
        NDArray w = weights(12, 32);
        assertScales(
                ScaleRules.parse("absmax/group:8").scale(w, K17), byHand(w.toFloatArray(), 12, 32, 8, false), true);
        NDArray wide = ScaleRules.parse("mse/group:64").scale(weights(12, 30).duplicate(), K17);
        assertThat(wide.getShape()).isEqualTo(new Shape(12, 1));
        NDArray w30 = weights(12, 30);
        assertThat(ScaleRules.parse("mse/group:64").scale(w30, K17).toFloatArray())
                .containsExactly(ScaleRules.parse("mse/channel").scale(w30, K17).toFloatArray());
    }

    @Test
    void aVectorsGroupsAreItsChannels() {
        NDArray w = weights(64);
        NDArray grouped = ScaleRules.parse("absmean/group:8").scale(w, K17);
        assertThat(grouped.getShape()).isEqualTo(new Shape(64));
        assertThat(grouped.toFloatArray())
                .containsExactly(
                        ScaleRules.parse("absmean/channel").scale(w, K17).toFloatArray());
    }

    @Test
    void perTensorAndPerChannelTheSettingGivesTheRulesOwnScale() {
        NDArray w = weights(6, 3, 5, 5);
        for (String rule : new String[] {"absmean", "absmax", "gauss", "mse", "minmax"}) {
            for (Granularity granularity : new Granularity[] {Granularity.TENSOR, Granularity.CHANNEL}) {
                ScaleSetting setting = new ScaleSetting(ScaleRules.rule(rule), granularity);
                assertThat(setting.scale(w, K17).toFloatArray())
                        .as(setting.toString())
                        .containsExactly(
                                ScaleRules.rule(rule).scale(w, K17, granularity).toFloatArray());
            }
        }
    }
}
