package dev.lowbit.harness.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.nn.ModelPacking;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.pack.ByteAccount;
import dev.lowbit.api.pack.LbwFile;
import dev.lowbit.api.pack.LbwFormatException;
import dev.lowbit.api.pack.LoadedModel;
import dev.lowbit.api.pack.PackedModel;
import dev.lowbit.api.pack.PackedTensor;
import dev.lowbit.api.pack.QuantizedTensor;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.ModelRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
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

    /**
     * The most values one input image may have: 2^24 (64 MB as floats), thousands of times what the
     * datasets lowbit reads hold (CIFAR-10: 3,072) yet below what one allocation for it would cost.
     * A header declaring more is refused before anything is built for it.
     */
    static final long MAX_INPUT_VALUES = 1L << 24;
    /** The most classes a model may declare: far above any image classification dataset's (ImageNet-21k: 21,841). */
    static final int MAX_CLASSES = 1 << 16;

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

    /** A packed file read back and checked, with what it takes to rebuild its model. */
    public record Opened(Path file, PackedModel packed, ByteAccount bytes, Architecture architecture,
            Quantizer quantizer, ModelRecord model) {

        /** A metadata value. */
        public String metadata(String key) {
            return packed.metadata().get(key);
        }
    }

    /**
     * Reads a .lbw file and checks every header entry it relies on, before anything is built or
     * allocated for it: a file's checksums only prove it was not damaged, not that whoever wrote it
     * wrote sensible values. Every problem is one line naming the file, the entry and its value.
     *
     * <p>The header's quantizer is checked against every quantized tensor's stored alphabet, and a
     * mismatch refused. eval decodes codes with the named quantizer ({@link ModelPacking#initializeFrom}),
     * the same ops training used, so that the reloaded weights are bit for bit the forward pass's
     * Q(W) even for a plugin that overrides {@code decode}; the stored alphabet is then a
     * redundant copy, and the two disagreeing means the file was relabelled or built by something
     * else. Decoding with the stored alphabet instead would silently drop that guarantee, and still
     * leave a wrong label on the numbers eval prints.
     */
    public Opened open(Path file) {
        LoadedModel loaded;
        try {
            loaded = LbwFile.read(file);
        } catch (LbwFormatException | java.io.UncheckedIOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
        Header header = new Header(file, loaded.model().metadata());
        for (String key : List.of(ARCHITECTURE, QUANTIZER, INPUT_SHAPE, CLASSES, MEAN, STD)) {
            header.require(key);
        }
        ModelRecord model = new ModelRecord(Arrays.stream(header.inputShape()).boxed().toList(), header.classes(),
                header.fraction(MEAN, false), header.fraction(STD, true));
        header.checkOptionalEntries();
        Architecture architecture = header.named(ARCHITECTURE, architectures::get);
        Quantizer quantizer = header.named(QUANTIZER, quantizers::resolve);
        header.checkScaleRule(quantizer);
        checkAlphabets(file, loaded.model(), quantizer);
        return new Opened(file, loaded.model(), loaded.bytes(), architecture, quantizer, model);
    }

    /**
     * Checks that an opened model can be evaluated on {@code images}: the input shape and the number
     * of classes its header declares are the data's. Call before building the model, so that a
     * header declaring a huge input is refused before anything is allocated for it.
     */
    public static void requireFits(Opened opened, LabeledImages images) {
        ImageSet test = images.test();
        long[] input = opened.model().inputDimensions();
        long[] data = {test.channels(), test.rows(), test.cols()};
        if (!Arrays.equals(input, data)) {
            throw new BadInputException("Packed model '" + opened.file() + "' takes images of " + imageShape(input)
                    + " (header entry " + INPUT_SHAPE + ") but " + images.name() + " in '" + images.directory()
                    + "' holds images of " + imageShape(data) + ". Evaluate it on the dataset it was trained on, or"
                    + " pass --data with images of that size.");
        }
        if (opened.model().classes() != images.classes()) {
            throw new BadInputException("Packed model '" + opened.file() + "' has " + opened.model().classes()
                    + " classes (header entry " + CLASSES + ") but " + images.name() + " in '" + images.directory()
                    + "' has " + images.classes() + ". Evaluate it on the dataset it was trained on.");
        }
    }

    /** Every quantized tensor must hold codes on the alphabet of the quantizer eval decodes them with. */
    private static void checkAlphabets(Path file, PackedModel packed, Quantizer quantizer) {
        double[] expected = quantizer.alphabet().map(Alphabet::values).orElse(null);
        for (PackedTensor tensor : packed.tensors()) {
            if (tensor instanceof QuantizedTensor quantized && !Arrays.equals(quantized.alphabet(), expected)) {
                throw new BadInputException(oneLine("Packed model '" + file + "' does not match its header: tensor '"
                        + quantized.name() + "' holds codes on the alphabet " + describe(quantized.alphabet())
                        + " but the header's quantizer '" + quantizer.spec() + "' "
                        + (expected == null ? "has no alphabet (full precision)" : "has the alphabet "
                                + describe(expected))
                        + ". eval decodes codes with the named quantizer, so the file was relabelled or written by"
                        + " something else; export it again from its run."));
            }
        }
    }

    private static String describe(double[] alphabet) {
        try {
            return Alphabet.of(alphabet).toString();
        } catch (IllegalArgumentException e) {
            return Arrays.toString(alphabet); // not increasing: no lowbit quantizer's, shown as stored
        }
    }

    private static String imageShape(long[] shape) {
        return Arrays.stream(shape).mapToObj(String::valueOf).collect(Collectors.joining("x"));
    }

    /** Names read from a file may hold line breaks; a message stays on one line. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s+", " ");
    }

    /** The header entries of one file, each parsed and range-checked with a one-line refusal. */
    private static final class Header {

        private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,18}");

        private final Path file;
        private final Map<String, String> metadata;

        Header(Path file, Map<String, String> metadata) {
            this.file = file;
            this.metadata = metadata;
        }

        void require(String key) {
            if (!metadata.containsKey(key)) {
                throw new BadInputException("Packed model '" + file + "' lacks the header entry '" + key
                        + "'; it was not written by 'lowbit export'. Export it again.");
            }
        }

        /** Channels, height and width: the shape every architecture is built for ({@link Architecture#build}). */
        long[] inputShape() {
            String value = metadata.get(INPUT_SHAPE);
            String[] parts = value.split(",", -1);
            long[] shape = new long[parts.length];
            for (int i = 0; i < parts.length; i++) {
                shape[i] = WHOLE_NUMBER.matcher(parts[i]).matches() ? Long.parseLong(parts[i]) : 0;
                if (shape[i] < 1) {
                    shape = null;
                    break;
                }
            }
            if (shape == null || shape.length != 3) {
                throw invalid(INPUT_SHAPE, "expected channels,height,width as three whole numbers of at least 1,"
                        + " e.g. 1,28,28");
            }
            long values = 1;
            for (long dim : shape) {
                values *= Math.min(dim, MAX_INPUT_VALUES + 1); // capped, so the product cannot overflow
                if (values > MAX_INPUT_VALUES) {
                    throw invalid(INPUT_SHAPE, "an image of more than " + MAX_INPUT_VALUES + " values, which no"
                            + " dataset lowbit reads holds");
                }
            }
            return shape;
        }

        int classes() {
            String value = metadata.get(CLASSES);
            long classes = WHOLE_NUMBER.matcher(value).matches() ? Long.parseLong(value) : -1;
            if (classes < 2 || classes > MAX_CLASSES) {
                throw invalid(CLASSES, "expected a whole number from 2 to " + MAX_CLASSES);
            }
            return (int) classes;
        }

        /**
         * A normalisation statistic of pixels scaled to [0, 1]: the mean lies in [0, 1], the standard
         * deviation in (0, 1] (training measures it, never below 1e-6), and neither is NaN or infinite.
         */
        float fraction(String key, boolean positive) {
            String value = metadata.get(key);
            float number;
            try {
                number = Float.parseFloat(value);
            } catch (NumberFormatException e) {
                number = Float.NaN;
            }
            if (!(number >= 0 && number <= 1) || positive && number == 0) {
                throw invalid(key, positive ? "expected a number above 0 and at most 1, the standard deviation of"
                        + " pixels in [0, 1]" : "expected a number from 0 to 1, the mean of pixels in [0, 1]");
            }
            return number;
        }

        /** The entries eval does not need are still checked when present: each is a value lowbit writes. */
        void checkOptionalEntries() {
            String dataset = metadata.get(DATASET);
            if (dataset != null && !Datasets.NAMES.contains(dataset)) {
                throw invalid(DATASET, "expected one of " + Datasets.NAMES);
            }
            String policy = metadata.get(LAYER_POLICY);
            if (policy != null) {
                try {
                    LayerPolicy.byId(policy);
                } catch (IllegalArgumentException e) {
                    throw invalid(LAYER_POLICY, "expected one of " + Arrays.stream(LayerPolicy.values())
                            .map(LayerPolicy::id).toList());
                }
            }
        }

        /** The plugin an entry names, found by {@code lookup}; its refusal (what exists) names the file too. */
        <T> T named(String key, Function<String, T> lookup) {
            try {
                return lookup.apply(metadata.get(key));
            } catch (BadInputException e) {
                throw new BadInputException(oneLine("Packed model '" + file + "', header entry " + key + ": "
                        + e.getMessage()), e);
            }
        }

        /** The scale rule is written beside the quantizer's spec; the two must agree. */
        void checkScaleRule(Quantizer quantizer) {
            String rule = metadata.get(SCALE_RULE);
            if (rule != null && !rule.equals(quantizer.scaleRule())) {
                throw invalid(SCALE_RULE, "the header's quantizer '" + quantizer.spec() + "' has the scale rule '"
                        + quantizer.scaleRule() + "'");
            }
        }

        private BadInputException invalid(String key, String expected) {
            String value = metadata.get(key);
            // Shown short and printable: the value is whatever the file holds.
            String shown = (value.length() > 60 ? value.substring(0, 60) + "..." : value).replaceAll("\\p{Cntrl}", "?");
            return new BadInputException(oneLine("Packed model '" + file + "' has an invalid header entry " + key
                    + "='" + shown + "': " + expected + ". The file was edited or not written by lowbit; export it"
                    + " again from its run."));
        }
    }

    /**
     * The model of an opened file, ready to evaluate: built with the full-precision quantizer so its
     * forward pass uses the decoded weights as they are.
     */
    public Block rebuild(Opened opened, NDManager manager) {
        Quantizer identity = quantizers.resolve("fp32");
        Shape input = new Shape(opened.model().inputDimensions());
        try {
            checkQuantizedTensors(opened, input);
            Block block = opened.architecture().build(input, opened.model().classes(), identity);
            ModelPacking.initializeFrom(opened.packed(), block, opened.quantizer());
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(input));
            return block;
        } catch (IllegalArgumentException e) {
            throw new BadInputException(oneLine("Packed model '" + opened.file() + "' does not fit architecture '"
                    + opened.architecture().id() + "': " + e.getMessage() + "."), e);
        }
    }

    /**
     * The tensors the header's quantizer and layer policy quantize must be exactly the file's
     * quantized tensors. With the alphabets checked in {@link #open}, this makes the header's
     * quantizer the one the stored weights really are on: an fp32 file relabelled {@code ternary}
     * would otherwise evaluate as fp32 while eval printed {@code ternary}. The model is only built
     * here (no weights are allocated) to learn which of its tensors are quantized.
     */
    private static void checkQuantizedTensors(Opened opened, Shape input) {
        String policyId = opened.metadata(LAYER_POLICY);
        // Files written before layer policies existed quantized every layer, as "all" does.
        LayerPolicy policy = policyId == null ? LayerPolicy.ALL : LayerPolicy.byId(policyId);
        Block named = opened.architecture().build(input, opened.model().classes(), opened.quantizer(), policy);
        Map<Parameter, QuantizedWeight> quantized = MemoryAccounting.quantizedWeights(named);
        Set<Parameter> learnedScales = MemoryAccounting.learnedScales(quantized);
        Map<String, PackedTensor> stored = new LinkedHashMap<>();
        opened.packed().tensors().forEach(tensor -> stored.put(tensor.name(), tensor));
        for (Pair<String, Parameter> entry : named.getParameters()) {
            PackedTensor tensor = stored.get(entry.getKey());
            boolean expected = quantized.containsKey(entry.getValue());
            // A missing tensor, or one the model lacks, is initializeFrom's to report.
            if (tensor == null || learnedScales.contains(entry.getValue())
                    || expected == (tensor instanceof QuantizedTensor)) {
                continue;
            }
            throw new BadInputException(oneLine("Packed model '" + opened.file() + "' does not match its header:"
                    + " tensor '" + tensor.name() + "' is stored " + (expected ? "in fp32" : "quantized") + " but "
                    + opened.architecture().id() + " with quantizer '" + opened.quantizer().spec()
                    + "' and layer policy '" + policy.id() + "' " + (expected ? "quantizes" : "keeps in fp32")
                    + " it; the file was relabelled or written by something else. Export it again from its run."));
        }
    }
}
