package dev.lowbit.harness.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Real .lbw files for tests, written by the same code as {@code lowbit export}, and copies of them
 * with a crafted header. A crafted copy goes through {@link LbwFile#write}, so its length field and
 * both checksums are right: only the reader's checks of the values themselves can refuse it.
 */
public final class PackedModelFiles {

    /** The header keys lowbit writes, for tests that craft them. */
    public static final String ARCHITECTURE = PackedModels.ARCHITECTURE;

    public static final String QUANTIZER = PackedModels.QUANTIZER;
    public static final String SCALE_RULE = PackedModels.SCALE_RULE;
    public static final String LAYER_POLICY = PackedModels.LAYER_POLICY;
    public static final String DATASET = PackedModels.DATASET;
    public static final String INPUT_SHAPE = PackedModels.INPUT_SHAPE;
    public static final String CLASSES = PackedModels.CLASSES;
    public static final String MEAN = PackedModels.MEAN;
    public static final String STD = PackedModels.STD;

    private PackedModelFiles() {}

    /**
     * An untrained fcnn-small for 1x28x28 images in 10 classes (Fashion-MNIST's), its weights on
     * {@code quantizerSpec}'s alphabet, packed into {@code file}. No training: a second or two.
     */
    public static Path untrained(Path file, String quantizerSpec, LayerPolicy policy) {
        PluginLoader loader = new PluginLoader(PackedModelFiles.class.getClassLoader());
        QuantizerRegistry quantizers = QuantizerRegistry.load(loader);
        ArchitectureRegistry architectures = new ArchitectureRegistry(loader.load(Architecture.class));
        Quantizer quantizer = quantizers.resolve(quantizerSpec);
        RunConfig config = new RunConfig(
                "crafted",
                "fashion-mnist",
                "fcnn-small",
                quantizer.spec(),
                policy.id(),
                "none",
                new Recipe("base", "adam", 0.001, "constant", 64, 1, 0, "none"),
                0,
                0.1,
                1);
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = architectures.get("fcnn-small").build(new Shape(1, 28, 28), 10, quantizer, policy);
            block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));
            ModelRecord model = new ModelRecord(List.of(1L, 28L, 28L), 10, 0.2860f, 0.3530f);
            new PackedModels(quantizers, architectures)
                    .write(block, "crafted-run", config, quantizer, model, MemoryAccounting.of(block), file);
        }
        return file;
    }

    /** {@link #untrained(Path, String, LayerPolicy)} with every layer quantized. */
    public static Path untrained(Path file, String quantizerSpec) {
        return untrained(file, quantizerSpec, LayerPolicy.ALL);
    }

    /**
     * A copy of {@code source} at {@code target} whose header entry {@code key} is {@code value}, or
     * is removed when {@code value} is null; tensors unchanged, checksums right.
     */
    public static Path withEntry(Path source, Path target, String key, String value) {
        return withHeader(source, target, header -> {
            if (value == null) {
                header.remove(key);
            } else {
                header.put(key, value);
            }
        });
    }

    /** A copy of {@code source} at {@code target} with its header changed by {@code edit}; checksums right. */
    public static Path withHeader(Path source, Path target, Consumer<Map<String, String>> edit) {
        PackedModel packed = LbwFile.read(source).model();
        Map<String, String> header = new LinkedHashMap<>(packed.metadata());
        edit.accept(header);
        LbwFile.write(new PackedModel(header, packed.tensors()), target);
        return target;
    }
}
