package dev.lowbit.api.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.spi.Quantizer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts parameters and memory tiers of an initialised model.
 *
 * <pre>
 *   fp32 bytes  = 4 * parameters
 *   ideal bytes = (log2(k) * quantized weights + 32 * (other parameters + scales)) / 8
 * </pre>
 * A tensor counts as quantized exactly when it is the shadow weight of a {@link QuantizedBlock}
 * whose quantizer is not full precision.
 */
public final class MemoryAccounting {

    private MemoryAccounting() {}

    /** The memory tiers of an initialised block. */
    public static MemoryRecord of(Block model) {
        Map<Parameter, Quantizer> quantized = new IdentityHashMap<>();
        for (QuantizedBlock block : quantizedBlocks(model)) {
            if (!block.quantizer().isFullPrecision()) {
                quantized.put(block.shadowWeight(), block.quantizer());
            }
        }
        long parameters = 0;
        long quantizedWeights = 0;
        long scales = 0;
        double idealBits = 0;
        for (Parameter parameter : model.getParameters().values()) {
            long size = parameter.getArray().size();
            parameters += size;
            Quantizer quantizer = quantized.get(parameter);
            if (quantizer == null) {
                idealBits += 32.0 * size;
            } else {
                long tensorScales = quantizer.scaleCount(parameter.getShape().getShape());
                quantizedWeights += size;
                scales += tensorScales;
                idealBits += quantizer.bitsPerWeight() * size + 32.0 * tensorScales;
            }
        }
        return new MemoryRecord(parameters, quantizedWeights, scales, 4.0 * parameters, idealBits / 8);
    }

    /** Every {@link QuantizedBlock} in the tree under {@code root}, in depth-first order. */
    public static List<QuantizedBlock> quantizedBlocks(Block root) {
        List<QuantizedBlock> found = new ArrayList<>();
        collect(root, found);
        return found;
    }

    private static void collect(Block block, List<QuantizedBlock> found) {
        if (block instanceof QuantizedBlock quantizedBlock) {
            found.add(quantizedBlock);
        }
        for (Block child : block.getChildren().values()) {
            collect(child, found);
        }
    }
}
