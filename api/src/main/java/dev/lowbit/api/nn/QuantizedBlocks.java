package dev.lowbit.api.nn;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The quantized layers of a model and their weights, found by walking its block tree: what naming,
 * configuring, packing and counting a model's quantized weights all start from.
 */
public final class QuantizedBlocks {

    private QuantizedBlocks() {}

    /** Every {@link QuantizedBlock} in the tree under {@code root}, in depth-first order. */
    public static List<QuantizedBlock> in(Block root) {
        List<QuantizedBlock> found = new ArrayList<>();
        collect(root, found);
        return found;
    }

    /**
     * The weights of {@code model} stored on an alphabet (quantizer not full precision), keyed by
     * their shadow-weight parameter (by identity: DJL parameters have no value equality).
     */
    public static Map<Parameter, QuantizedWeight> weights(Block model) {
        IdentityHashMap<Parameter, QuantizedWeight> quantized = new IdentityHashMap<>();
        for (QuantizedBlock block : in(model)) {
            QuantizedWeight weight = block.quantizedWeight();
            if (!weight.quantizer().isFullPrecision()) {
                quantized.put(weight.weight(), weight);
            }
        }
        return quantized;
    }

    /**
     * The trained-value parameters of these weights (LSQ's scale, TTQ's magnitudes): counted and stored
     * with their weight, not as tensors of their own. An input quantizer's trained values are not among them.
     */
    public static Set<Parameter> trainedValues(Map<Parameter, QuantizedWeight> quantized) {
        Set<Parameter> values = Collections.newSetFromMap(new IdentityHashMap<>());
        quantized.values().forEach(weight -> values.addAll(weight.trainedValues()));
        return values;
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
