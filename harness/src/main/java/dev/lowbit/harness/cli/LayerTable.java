package dev.lowbit.harness.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.scheme.QuantizedLayers;
import java.io.PrintWriter;
import java.util.List;

/** {@code lowbit list --layers ARCH}: an architecture's quantized layers as a layer map's selectors see them. */
final class LayerTable {

    private LayerTable() {}

    /**
     * Builds the architecture in fp32 (positions and names do not depend on the quantizer), initialises it
     * for one example of {@code input} to learn the shapes, and prints one line per quantized layer.
     *
     * @throws PluginCodeException when the architecture cannot be built or initialised for this input
     */
    static void print(Architecture architecture, Quantizer fp32, Shape input, int classes, PrintWriter out) {
        String dimensions = input.toString().replaceAll("[() ]", "").replace(',', 'x');
        List<String[]> rows;
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = architecture.build(input, classes, fp32);
            block.setInitializer(new NormalInitializer(), Parameter.Type.WEIGHT);
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(input));
            List<QuantizedLayers.Layer> layers = QuantizedLayers.of(block);
            rows = layers.stream()
                    .map(layer -> new String[] {
                        String.valueOf(layer.position()),
                        String.valueOf(layer.position() - layers.size()),
                        layer.name(),
                        layer.weight().getArray().getShape().toString()
                    })
                    .toList();
        } catch (RuntimeException | LinkageError e) {
            throw new PluginCodeException(
                    "Architecture '" + architecture.id() + "' cannot be built for " + dimensions + " inputs and "
                            + classes + " classes: " + e,
                    e);
        }
        out.println("Quantized layers of " + architecture.id() + " (for " + dimensions + " inputs and " + classes
                + " classes). Select them in a layer map by position (from 0, or from the end: -1 is the last), first,"
                + " last, or a glob over the names, e.g. --layer-policy 'first=fp32;*Conv2d=ternary'.");
        int nameWidth = Math.max(
                "name".length(),
                rows.stream().mapToInt(row -> row[2].length()).max().orElse(0));
        String format = "  %8s  %8s  %-" + nameWidth + "s  %s%n";
        out.printf(format, "position", "from end", "name", "weight shape");
        rows.forEach(row -> out.printf(format, (Object[]) row));
    }
}
