package dev.lowbit.api.pack;

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
        QuantizedTensor tensor = new QuantizedTensor("w", new long[] {2, 3}, TERNARY,
                new int[] {0, 1, 2, 2, 1, 0}, new long[] {2, 1}, new float[] {2, 10});
        assertThat(tensor.dequantize()).containsExactly(-2, 0, 2, 10, 0, -10);
    }

    @Test
    void dequantizesWithOneScalePerTensor() {
        QuantizedTensor tensor = new QuantizedTensor("w", new long[] {2, 2}, TERNARY,
                new int[] {0, 1, 2, 2}, new long[] {1}, new float[] {0.5f});
        assertThat(tensor.dequantize()).containsExactly(-0.5f, 0, 0.5f, 0.5f);
    }

    @Test
    void copiesArraysInAndOut() {
        int[] codes = {0, 1};
        QuantizedTensor tensor = new QuantizedTensor("w", new long[] {2}, TERNARY, codes, new long[] {1}, new float[] {1});
        codes[0] = 2;
        tensor.codes()[1] = 2;
        assertThat(tensor.codes()).containsExactly(0, 1);
        assertThat(tensor).isEqualTo(new QuantizedTensor("w", new long[] {2}, TERNARY, new int[] {0, 1},
                new long[] {1}, new float[] {1}));
    }

    @Test
    void rejectsCodesOutsideTheAlphabet() {
        assertThatThrownBy(() -> new QuantizedTensor("1.weight", new long[] {2}, TERNARY, new int[] {0, 3},
                new long[] {1}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Tensor '1.weight' has code 3 at index 1, outside [0, 3)");
    }

    @Test
    void rejectsCountsThatDoNotMatchTheShape() {
        assertThatThrownBy(() -> new QuantizedTensor("w", new long[] {2, 2}, TERNARY, new int[] {0, 1, 2},
                new long[] {1}, new float[] {1}))
                .hasMessage("Tensor 'w' of shape [2, 2] needs 4 codes, got 3");
        assertThatThrownBy(() -> new QuantizedTensor("w", new long[] {2, 2}, TERNARY, new int[4],
                new long[] {2, 1}, new float[] {1}))
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
        assertThat(new Fp32Tensor("b", new long[] {0, Long.MAX_VALUE}, new float[0]).elementCount()).isZero();
    }

    @Test
    void rejectsScalesThatDoNotBroadcast() {
        assertThatThrownBy(() -> new QuantizedTensor("w", new long[] {2, 3}, TERNARY, new int[6],
                new long[] {3, 1}, new float[3]))
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
