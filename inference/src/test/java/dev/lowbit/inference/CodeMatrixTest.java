package dev.lowbit.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.format.lbw.QuantizedTensor;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both kernels of a packed matrix against the weights its tensor decodes to ({@link QuantizedTensor#dequantize}),
 * multiplied in double: every scale layout a lowbit quantizer stores, alphabets of 2 to 17 levels, one column
 * (table lookup) and many (level sums: in registers up to 64 columns, in memory beyond), on the Vector API and
 * on plain loops.
 */
class CodeMatrixTest {

    static List<Arguments> layouts() {
        return List.of(
                Arguments.of(new double[] {-1, 1}, "tensor"),
                Arguments.of(new double[] {-1, 0, 1}, "tensor"),
                Arguments.of(new double[] {-1, 0, 1}, "channel"),
                Arguments.of(new double[] {-2, -1, 0, 1, 2}, "channel"),
                Arguments.of(new double[] {-1.5, -0.5, 0.5, 1.5}, "groups"),
                Arguments.of(new double[] {0, 1, 2, 3, 4, 5, 6, 7, 8}, "affine groups"),
                Arguments.of(levels(17), "tensor"),
                Arguments.of(levels(17), "affine channel"));
    }

    private static double[] levels(int k) {
        double[] alphabet = new double[k];
        for (int c = 0; c < k; c++) {
            alphabet[c] = c - (k - 1) / 2.0;
        }
        return alphabet;
    }

    @ParameterizedTest(name = "{1}, {0} levels")
    @MethodSource("layouts")
    void bothKernelsComputeTheDecodedWeightsProduct(double[] alphabet, String layout) {
        Random random = new Random(alphabet.length * 31L + layout.hashCode());
        int rows = 37;
        int cols = 101; // not a multiple of any codes-per-byte or group size: short last groups
        QuantizedTensor tensor = tensor(random, alphabet, layout, rows, cols);
        CodeMatrix matrix = CodeMatrix.of(tensor);
        float[] weights = tensor.dequantize();
        for (Lanes lanes : List.of(Lanes.get(), new Lanes.ScalarLanes())) {
            for (int n : new int[] {1, 3, 17, 64, 100}) {
                int stride = lanes.stride(n);
                float[] x = new float[cols * stride];
                for (int j = 0; j < cols; j++) {
                    for (int r = 0; r < n; r++) {
                        x[j * stride + r] = (float) random.nextGaussian();
                    }
                }
                float[] y = new float[rows * stride];
                matrix.multiply(x, n, stride, y, lanes);
                for (int o = 0; o < rows; o++) {
                    for (int r = 0; r < n; r++) {
                        double expected = 0;
                        double magnitude = 0;
                        for (int j = 0; j < cols; j++) {
                            expected += (double) weights[o * cols + j] * x[j * stride + r];
                            magnitude += Math.abs((double) weights[o * cols + j] * x[j * stride + r]);
                        }
                        // Float sums in another order than the reference's: a few ulps of the terms' magnitude.
                        assertThat((double) y[o * stride + r])
                                .as("%s, n=%d, row %d, column %d (%s)", layout, n, o, r, matrix.kernel(n))
                                .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
                    }
                }
            }
        }
    }

    private static QuantizedTensor tensor(Random random, double[] alphabet, String layout, int rows, int cols) {
        int[] codes = new int[rows * cols];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(alphabet.length);
        }
        boolean affine = layout.startsWith("affine");
        if (layout.endsWith("groups")) {
            int group = 16;
            int groups = (cols + group - 1) / group;
            return new QuantizedTensor(
                    "w",
                    new long[] {rows, cols},
                    alphabet,
                    codes,
                    new long[] {rows, groups},
                    positive(random, rows * groups),
                    group,
                    affine ? gaussian(random, rows * groups) : null,
                    List.of());
        }
        boolean perRow = layout.endsWith("channel");
        int scales = perRow ? rows : 1;
        return new QuantizedTensor(
                "w",
                new long[] {rows, cols},
                alphabet,
                codes,
                perRow ? new long[] {rows, 1} : new long[] {1},
                positive(random, scales),
                0,
                affine ? gaussian(random, scales) : null,
                List.of());
    }

    private static float[] positive(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = 0.01f + random.nextFloat();
        }
        return values;
    }

    private static float[] gaussian(Random random, int count) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    @Test
    void wideLayersSplitBetweenThreadsComputeTheSame() {
        // Big enough for both kernels to split the rows between threads (on a machine with more than one core).
        Random random = new Random(11);
        int rows = 520;
        int cols = 1003;
        QuantizedTensor tensor = tensor(random, new double[] {-1, 0, 1}, "channel", rows, cols);
        CodeMatrix matrix = CodeMatrix.of(tensor);
        float[] weights = tensor.dequantize();
        Lanes lanes = Lanes.get();
        for (int n : new int[] {1, 200}) {
            int stride = lanes.stride(n);
            float[] x = new float[cols * stride];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) random.nextGaussian();
            }
            float[] y = new float[rows * stride];
            matrix.multiply(x, n, stride, y, lanes);
            for (int o = 0; o < rows; o++) {
                for (int r = 0; r < n; r += 7) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int j = 0; j < cols; j++) {
                        expected += (double) weights[o * cols + j] * x[j * stride + r];
                        magnitude += Math.abs((double) weights[o * cols + j] * x[j * stride + r]);
                    }
                    assertThat((double) y[o * stride + r])
                            .as("n=%d, row %d, column %d (%s)", n, o, r, matrix.kernel(n))
                            .isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5 * magnitude + 1e-6));
                }
            }
        }
    }

    @Test
    void bytesAreTheCodesAtFewBitsEach() {
        Random random = new Random(3);
        CodeMatrix ternary = CodeMatrix.of(tensor(random, new double[] {-1, 0, 1}, "tensor", 1024, 1024));
        // 5 ternary codes per byte (1.6 bits per weight) plus a scale per row.
        assertThat(ternary.bytes()).isEqualTo(1024L * (1024 / 5 + 1) + 4 * 1024);
    }

    @Test
    void scalesVaryingAlongARowAreRefusedByName() {
        QuantizedTensor perColumn = new QuantizedTensor(
                "07QuantizedLinear_weight",
                new long[] {4, 6},
                new double[] {-1, 1},
                new int[24],
                new long[] {6},
                new float[] {1, 1, 1, 1, 1, 1});
        assertThatThrownBy(() -> CodeMatrix.of(perColumn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("07QuantizedLinear_weight")
                .hasMessageContaining("--engine djl");
    }
}
