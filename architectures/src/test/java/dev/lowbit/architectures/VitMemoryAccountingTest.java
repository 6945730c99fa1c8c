package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.TensorMemory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class VitMemoryAccountingTest {

    private static final String PATCH_KERNEL = "01PatchEmbedding_01projection_weight [48, 1, 7, 7]";
    private static final String CLASSIFIER = "07QuantizedLinear_weight [10, 48]";

    @Test
    void allPolicyQuantizesPatchKernelEveryBlockMatrixAndClassifier() {
        List<String> expected = new ArrayList<>();
        expected.add(PATCH_KERNEL);
        expected.addAll(blockMatrices());
        expected.add(CLASSIFIER);

        MemoryRecord memory = memory(LayerPolicy.ALL);

        assertThat(quantizedTensors(memory)).containsExactlyElementsOf(expected);
        assertThat(memory.quantizedWeights()).isEqualTo(2_352 + 3 * 18_432 + 480);
        assertThat(fp32Tensors(memory)).allMatch(VitMemoryAccountingTest::neverQuantized);
    }

    @Test
    void fp32FirstLastKeepsPatchKernelAndClassifierInFp32() {
        MemoryRecord memory = memory(LayerPolicy.FP32_FIRST_LAST);

        assertThat(quantizedTensors(memory)).containsExactlyElementsOf(blockMatrices());
        assertThat(fp32Tensors(memory))
                .contains(PATCH_KERNEL, CLASSIFIER)
                .filteredOn(t -> !t.equals(PATCH_KERNEL) && !t.equals(CLASSIFIER))
                .allMatch(VitMemoryAccountingTest::neverQuantized);
        assertThat(memory.quantizedWeights()).isEqualTo(3 * 18_432);
        assertThat(memory.parameters()).isEqualTo(60_730);
    }

    /** The six matrices of each of vit-small's three blocks, as {@code name shape}. */
    private static List<String> blockMatrices() {
        List<String> names = new ArrayList<>();
        for (int block = 2; block <= 4; block++) {
            String prefix = "0" + block + "TransformerEncoderBlock_";
            for (String projection : List.of("01query", "02key", "03value", "04output")) {
                names.add(prefix + "02attention_" + projection + "_weight [48, 48]");
            }
            names.add(prefix + "04mlpExpand_weight [96, 48]");
            names.add(prefix + "05mlpContract_weight [48, 96]");
        }
        return names;
    }

    /** Biases, layer norms, the class token and the position embeddings. */
    private static boolean neverQuantized(String tensor) {
        String name = tensor.substring(0, tensor.indexOf(' '));
        return name.endsWith("_bias")
                || name.endsWith("_gamma")
                || name.endsWith("_beta")
                || name.endsWith("_classToken")
                || name.endsWith("_positionEmbedding");
    }

    private static MemoryRecord memory(LayerPolicy policy) {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block net = VitFixtures.initialised(
                    new VitSmallArchitecture(), VitFixtures.FASHION_MNIST, VitFixtures.ternary(), policy, manager, 1);
            return MemoryAccounting.of(net);
        }
    }

    private static List<String> quantizedTensors(MemoryRecord memory) {
        return describe(memory, true);
    }

    private static List<String> fp32Tensors(MemoryRecord memory) {
        return describe(memory, false);
    }

    private static List<String> describe(MemoryRecord memory, boolean quantized) {
        return memory.tensors().stream()
                .filter(t -> t.quantized() == quantized)
                .map(VitMemoryAccountingTest::describe)
                .collect(Collectors.toList());
    }

    private static String describe(TensorMemory tensor) {
        return tensor.name() + " " + tensor.shape();
    }
}
