package dev.lowbit.harness.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.nn.ModelPacking;
import dev.lowbit.api.pack.ByteAccount;
import dev.lowbit.api.pack.LbwFile;
import dev.lowbit.api.pack.LbwFormatException;
import dev.lowbit.api.pack.LoadedModel;
import dev.lowbit.api.pack.PackedModel;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.ModelRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Writes trained models as {@code .lbw} files and rebuilds them from one. The header carries what a
 * reader needs: architecture, quantizer spec, input shape, classes and pixel normalisation.
 */
public final class PackedModels {

    /** Metadata keys of the .lbw header. */
    static final String RUN_ID = "run.id";
    static final String ARCHITECTURE = "architecture";
    static final String QUANTIZER = "quantizer";
    static final String SCALE_RULE = "quantizer.scale-rule";
    static final String LAYER_POLICY = "layer-policy";
    static final String DATASET = "dataset";
    static final String INPUT_SHAPE = "input.shape";
    static final String CLASSES = "classes";
    static final String MEAN = "normalisation.mean";
    static final String STD = "normalisation.std";

    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;

    public PackedModels(QuantizerRegistry quantizers, ArchitectureRegistry architectures) {
        this.quantizers = quantizers;
        this.architectures = architectures;
    }

    /** A written file: its byte account and the model's memory tiers, packed ones included. */
    public record Written(ByteAccount bytes, MemoryRecord memory) {}

    /**
     * Packs a trained model into {@code file}.
     *
     * @param block the trained model (quantized blocks with their fp32 shadow weights)
     * @param memory its fp32 and ideal tiers, from {@link MemoryAccounting#of}
     */
    public Written write(Block block, String runId, RunConfig config, Quantizer quantizer, ModelRecord model,
            MemoryRecord memory, Path file) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RUN_ID, runId);
        metadata.put(ARCHITECTURE, config.architecture());
        metadata.put(QUANTIZER, config.quantizer());
        metadata.put(SCALE_RULE, quantizer.scaleRule());
        metadata.put(LAYER_POLICY, config.layerPolicy());
        metadata.put(DATASET, config.dataset());
        metadata.put(INPUT_SHAPE, model.inputShape().stream().map(String::valueOf).collect(Collectors.joining(",")));
        metadata.put(CLASSES, String.valueOf(model.classes()));
        metadata.put(MEAN, Float.toString(model.normalisationMean()));
        metadata.put(STD, Float.toString(model.normalisationStd()));
        PackedModel packed = ModelPacking.pack(block, metadata);
        ByteAccount bytes = LbwFile.write(packed, file);
        return new Written(bytes, MemoryAccounting.withPacked(memory, packed, bytes));
    }

    /** A packed file read back, with what it takes to rebuild its model. */
    public record Opened(PackedModel packed, ByteAccount bytes, Architecture architecture, Quantizer quantizer,
            ModelRecord model) {

        /** A metadata value. */
        public String metadata(String key) {
            return packed.metadata().get(key);
        }
    }

    /** Reads and checks a .lbw file; every problem is one line naming the file. */
    public Opened open(Path file) {
        LoadedModel loaded;
        try {
            loaded = LbwFile.read(file);
        } catch (LbwFormatException | java.io.UncheckedIOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        Map<String, String> metadata = loaded.model().metadata();
        for (String key : List.of(ARCHITECTURE, QUANTIZER, INPUT_SHAPE, CLASSES, MEAN, STD)) {
            if (!metadata.containsKey(key)) {
                throw new BadInputException("Packed model '" + file + "' lacks the header entry '" + key
                        + "'; it was not written by 'lowbit export'. Export it again.");
            }
        }
        long[] shape = Arrays.stream(metadata.get(INPUT_SHAPE).split(",")).mapToLong(Long::parseLong).toArray();
        ModelRecord model = new ModelRecord(Arrays.stream(shape).boxed().toList(),
                Integer.parseInt(metadata.get(CLASSES)), Float.parseFloat(metadata.get(MEAN)),
                Float.parseFloat(metadata.get(STD)));
        return new Opened(loaded.model(), loaded.bytes(), architectures.get(metadata.get(ARCHITECTURE)),
                quantizers.resolve(metadata.get(QUANTIZER)), model);
    }

    /**
     * The model of an opened file, ready to evaluate: built with the full-precision quantizer so its
     * forward pass uses the decoded weights as they are.
     */
    public Block rebuild(Opened opened, NDManager manager) {
        Quantizer identity = quantizers.resolve("fp32");
        Block block = opened.architecture().build(new Shape(opened.model().inputDimensions()),
                opened.model().classes(), identity);
        try {
            ModelPacking.initializeFrom(opened.packed(), block, opened.quantizer());
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(new Shape(opened.model().inputDimensions())));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Packed model does not fit architecture '" + opened.architecture().id()
                    + "': " + e.getMessage() + ".", e);
        }
        return block;
    }
}
