package dev.lowbit.harness.scheme;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * The quantized layers of a model as a layer map sees them: every {@link QuantizedBlock}, in depth-first
 * order (the order of {@link QuantizedBlocks#in}), whatever quantizer it was built with, each
 * with its position and its name. Positions and names are what {@link LayerMap} selectors select and what
 * {@code lowbit list --layers ARCH} prints.
 */
public final class QuantizedLayers {

    private static final String WEIGHT_SUFFIX = "_weight";

    /**
     * One quantized layer.
     *
     * @param position its index among the model's quantized layers, from 0
     * @param name its weight's parameter path without the trailing {@code _weight}, e.g. {@code 01QuantizedLinear}
     * @param block the block, to configure
     * @param weight its shadow weight
     */
    public record Layer(int position, String name, QuantizedBlock block, Parameter weight) {}

    private QuantizedLayers() {}

    /** The quantized layers of a model, built but not necessarily initialised (names need no shapes). */
    public static List<Layer> of(Block model) {
        IdentityHashMap<Parameter, String> paths = new IdentityHashMap<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            paths.put(entry.getValue(), entry.getKey());
        }
        List<Layer> layers = new ArrayList<>();
        for (QuantizedBlock block : QuantizedBlocks.in(model)) {
            Parameter weight = block.quantizedWeight().weight();
            String path = paths.getOrDefault(weight, weight.getName());
            String name =
                    path.endsWith(WEIGHT_SUFFIX) ? path.substring(0, path.length() - WEIGHT_SUFFIX.length()) : path;
            layers.add(new Layer(layers.size(), name, block, weight));
        }
        return layers;
    }

    /** The names of {@link #of}, in order: what {@link LayerMap#unmatched} takes. */
    public static List<String> names(Block model) {
        return of(model).stream().map(Layer::name).toList();
    }
}
