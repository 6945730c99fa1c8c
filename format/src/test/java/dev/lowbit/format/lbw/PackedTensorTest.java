package dev.lowbit.format.lbw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PackedTensorTest {

    private static final double[] TERNARY = {-1, 0, 1};

    @Test
    void dequantizesWithOneScalePerOutputChannel() {
        QuantizedTensor tensor = new QuantizedTensor(
                "w", new long[] {2, 3}, TERNARY, new int[] {0, 1, 2, 2, 1, 0}, new long[] {2, 1}, new float[] {2, 10});
        assertThat(tensor.dequantize()).containsExactly(-2, 0, 2, 10, 0, -10);
    }

    @Test
    void dequantizesWithOneScalePerTensor() {
        QuantizedTensor tensor = new QuantizedTensor(
                "w", new long[] {2, 2}, TERNARY, new int[] {0, 1, 2, 2}, new long[] {1}, new float[] {0.5f});
        assertThat(tensor.dequantize()).containsExactly(-0.5f, 0, 0.5f, 0.5f);
    }

    /** Groups of 2 along rows of 5: scales (2, 3), the last group of each row one weight long. */
    @Test
    void dequantizesPerGroupWithAShorterLastGroupInEachRow() {
        QuantizedTensor tensor = new QuantizedTensor(
                "w",
                new long[] {2, 5},
                TERNARY,
                new int[] {0, 2, 2, 2, 0, 2, 2, 0, 1, 2},
                new long[] {2, 3},
                new float[] {1, 2, 3, 4, 5, 6},
                2,
                null,
                List.of());
        assertThat(tensor.dequantize()).containsExactly(-1, 1, 2, 2, -3, 4, 4, -5, 0, 6);
    }

    @Test
    void dequantizesConvKernelGroupsInRowMajorOrderOfEachFilter() {
        // (2, 1, 2, 2): 4 weights per filter, groups of 3: scales (2, 2).
        QuantizedTensor tensor = new QuantizedTensor(
                "w",
                new long[] {2, 1, 2, 2},
                TERNARY,
                new int[] {2, 2, 2, 2, 2, 2, 2, 2},
                new long[] {2, 2},
                new float[] {1, 2, 3, 4},
                3,
                null,
                List.of());
        assertThat(tensor.dequantize()).containsExactly(1, 1, 1, 2, 3, 3, 3, 4);
    }

    @Test
    void dequantizesWithZeroPointsAsValueMinusZTimesS() {
        QuantizedTensor tensor = new QuantizedTensor(
                "w",
                new long[] {2, 3},
                new double[] {0, 1, 2, 3},
                new int[] {0, 1, 3, 0, 2, 3},
                new long[] {2, 1},
                new float[] {0.5f, 0.25f},
                0,
                new float[] {1, 2},
                List.of());
        assertThat(tensor.dequantize()).containsExactly(-0.5f, 0f, 1f, -0.5f, 0f, 0.25f);
    }

    /** (float) 0.1 * 2.5900002f in float32 is 0.25900003f; rounding the double product gives 0.259f. */
    @Test
    void dequantizesInFloat32AsTheForwardPassDoes() {
        QuantizedTensor tensor = new QuantizedTensor(
                "w", new long[] {1}, new double[] {0.1, 0.3}, new int[] {0}, new long[] {1}, new float[] {2.5900002f});
        assertThat(tensor.dequantize()).containsExactly(0.1f * 2.5900002f);
        assertThat(0.1f * 2.5900002f).isNotEqualTo((float) (0.1 * 2.5900002f));
    }

    @Test
    void theVersion1ConstructorHasBroadcastScalesNoZeroPointsAndNoExtras() {
        QuantizedTensor tensor =
                new QuantizedTensor("w", new long[] {2}, TERNARY, new int[] {0, 1}, new long[] {1}, new float[] {1});
        assertThat(tensor.groupSize()).isZero();
        assertThat(tensor.zeroPoints()).isNull();
        assertThat(tensor.extras()).isEmpty();
        assertThat(tensor)
                .isEqualTo(new QuantizedTensor(
                        "w",
                        new long[] {2},
                        TERNARY,
                        new int[] {0, 1},
                        new long[] {1},
                        new float[] {1},
                        0,
                        null,
                        List.of()));
    }

    @Test
    void rejectsGroupScalesOfAnotherShape() {
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w",
                        new long[] {12, 30},
                        TERNARY,
                        new int[360],
                        new long[] {12, 3},
                        new float[36],
                        8,
                        null,
                        List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Tensor 'w' of shape [12, 30] in groups of 8 needs scale shape [12, 4], got [12, 3]");
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w",
                        new long[] {12, 30},
                        TERNARY,
                        new int[360],
                        new long[] {12, 1},
                        new float[12],
                        -8,
                        null,
                        List.of()))
                .hasMessage("Tensor 'w' has group size -8; use 0 for broadcast scales or a positive group size");
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w", new long[] {}, TERNARY, new int[1], new long[] {}, new float[1], 4, null, List.of()))
                .hasMessage("Tensor 'w' is a scalar, which has no groups of 4; store it with group size 0");
    }

    @Test
    void rejectsZeroPointsOfAnotherCountOrNotFinite() {
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w",
                        new long[] {2, 3},
                        TERNARY,
                        new int[6],
                        new long[] {2, 1},
                        new float[2],
                        0,
                        new float[1],
                        List.of()))
                .hasMessage("Tensor 'w' scale shape [2, 1] needs 2 zero points, got 1");
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w",
                        new long[] {2, 3},
                        TERNARY,
                        new int[6],
                        new long[] {2, 1},
                        new float[2],
                        0,
                        new float[] {0, Float.NaN},
                        List.of()))
                .hasMessage("Tensor 'w' has a non-finite zero point NaN at index 1");
    }

    @Test
    void rejectsTwoExtrasOfOneName() {
        Fp32Tensor scale = new Fp32Tensor("scale", new long[] {2, 1}, new float[2]);
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w",
                        new long[] {2, 3},
                        TERNARY,
                        new int[6],
                        new long[] {2, 1},
                        new float[2],
                        0,
                        null,
                        List.of(scale, scale)))
                .hasMessage("Tensor 'w' has two extras named 'scale'");
    }

    @Test
    void copiesArraysInAndOut() {
        int[] codes = {0, 1};
        QuantizedTensor tensor =
                new QuantizedTensor("w", new long[] {2}, TERNARY, codes, new long[] {1}, new float[] {1});
        codes[0] = 2;
        tensor.codes()[1] = 2;
        assertThat(tensor.codes()).containsExactly(0, 1);
        assertThat(tensor)
                .isEqualTo(new QuantizedTensor(
                        "w", new long[] {2}, TERNARY, new int[] {0, 1}, new long[] {1}, new float[] {1}));
    }

    @Test
    void rejectsCodesOutsideTheAlphabet() {
        assertThatThrownBy(() -> new QuantizedTensor(
                        "1.weight", new long[] {2}, TERNARY, new int[] {0, 3}, new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Tensor '1.weight' has code 3 at index 1, outside [0, 3)");
    }

    @Test
    void rejectsCountsThatDoNotMatchTheShape() {
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w", new long[] {2, 2}, TERNARY, new int[] {0, 1, 2}, new long[] {1}, new float[] {1}))
                .hasMessage("Tensor 'w' of shape [2, 2] needs 4 codes, got 3");
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w", new long[] {2, 2}, TERNARY, new int[4], new long[] {2, 1}, new float[] {1}))
                .hasMessage("Tensor 'w' scale shape [2, 1] needs 2 scales, got 1");
        assertThatThrownBy(() -> new Fp32Tensor("b", new long[] {3}, new float[2]))
                .hasMessage("Tensor 'b' of shape [3] needs 3 values, got 2");
    }

    /** Found by fuzzing: [4, 2^62 + 1] wrapped around to 4 elements, and [3, 0x5555555500000000] to a negative count. */
    @Test
    void rejectsAShapeWhoseProductOverflowsALong() {
        for (long[] shape : new long[][] {{4, (1L << 62) + 1}, {3, 0x5555555500000000L}, {1L << 31, 1L << 31}}) {
            assertThatThrownBy(() -> new Fp32Tensor("b", shape, new float[4]))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageEndingWith("holds more elements than one array can");
        }
        assertThat(new Fp32Tensor("b", new long[] {0, Long.MAX_VALUE}, new float[0]).elementCount())
                .isZero();
    }

    @Test
    void rejectsScalesThatDoNotBroadcast() {
        assertThatThrownBy(() -> new QuantizedTensor(
                        "w", new long[] {2, 3}, TERNARY, new int[6], new long[] {3, 1}, new float[3]))
                .hasMessage("Tensor 'w' scale shape [3, 1] does not broadcast to its shape [2, 3]");
    }

    @Test
    void rejectsDuplicateTensorNamesAndNullMetadata() {
        Fp32Tensor bias = new Fp32Tensor("b", new long[] {1}, new float[1]);
        assertThatThrownBy(() -> new PackedModel(Map.of(), List.of(bias, bias)))
                .hasMessage("A packed model holds two tensors named 'b'");
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("classes", null);
        assertThatThrownBy(() -> new PackedModel(metadata, List.of()))
                .hasMessage("Packed model metadata cannot hold null, got classes=null");
    }
}
