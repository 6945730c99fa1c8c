package dev.lowbit.harness.export;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.ByteAccount;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.LbwFormatException;
import dev.lowbit.format.lbw.LoadedModel;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.packing.ModelPacking;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ActivationRegistry;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.scheme.RunSchemes;
import dev.lowbit.harness.scheme.Schemes;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    /** The activation quantizer's spec; absent in files written before activation quantizers, meaning none. */
    static final String ACTIVATIONS = "activations";

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

    private final Schemes schemes;
    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;

    public PackedModels(Schemes schemes, ArchitectureRegistry architectures) {
        this.schemes = schemes;
        this.quantizers = schemes.quantizers();
        this.architectures = architectures;
    }

    /** For models without activation quantizers: only the built-in none is known. */
    public PackedModels(QuantizerRegistry quantizers, ArchitectureRegistry architectures) {
        this(new Schemes(quantizers, new ActivationRegistry(List.of(), quantizers.estimators())), architectures);
    }

    /** A written file: its byte account and the model's memory tiers, packed ones included. */
    public record Written(ByteAccount bytes, MemoryRecord memory) {}

    /**
     * Packs a trained model into {@code file}.
     *
     * @param block the trained model (quantized blocks with their fp32 shadow weights)
     * @param memory its fp32 and ideal tiers, from {@link MemoryAccounting#of}
     */
    public Written write(
            Block block,
            String runId,
            RunConfig config,
            Quantizer quantizer,
            ModelRecord model,
            MemoryRecord memory,
            Path file) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(RUN_ID, runId);
        metadata.put(ARCHITECTURE, config.architecture());
        metadata.put(QUANTIZER, config.quantizer());
        metadata.put(SCALE_RULE, quantizer.scaleRule());
        metadata.put(LAYER_POLICY, config.layerPolicy());
        metadata.put(ACTIVATIONS, config.activations());
        metadata.put(DATASET, config.dataset());
        metadata.put(
                INPUT_SHAPE, model.inputShape().stream().map(String::valueOf).collect(Collectors.joining(",")));
        metadata.put(CLASSES, String.valueOf(model.classes()));
        metadata.put(MEAN, Float.toString(model.normalisationMean()));
        metadata.put(STD, Float.toString(model.normalisationStd()));
        PackedModel packed = ModelPacking.pack(block, metadata);
        ByteAccount bytes = LbwFile.write(packed, file);
        return new Written(bytes, MemoryAccounting.withPacked(memory, packed, bytes));
    }

    /**
     * A packed file read back and checked, with what it takes to rebuild its model.
     *
     * @param quantizer the run's quantizer (the header's)
     * @param schemes what each layer was trained with: the header's quantizer, activations and layer policy
     * @param layers each quantized layer's scheme, in the order of {@link QuantizedBlocks#in}
     */
    public record Opened(
            Path file,
            PackedModel packed,
            ByteAccount bytes,
            Architecture architecture,
            Quantizer quantizer,
            RunSchemes schemes,
            List<LayerScheme> layers,
            ModelRecord model) {

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
     * <p>eval decodes every tensor from its stored form, {@code (float(alphabet[c]) - z) * s}
     * ({@link ModelPacking#initializeFrom}), the ops training's forward pass runs (the contract kit holds
     * every quantizer to that). The header still says which quantizer made each layer, and
     * {@link #rebuild} checks every tensor against it: the alphabet a layer's quantizer stores (for a
     * quantizer with trained levels, as many levels), and which tensors are quantized at all, so a file
     * relabelled or written by something else is refused rather than evaluated under a wrong name.
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
        ModelRecord model = new ModelRecord(
                Arrays.stream(header.inputShape()).boxed().toList(),
                header.classes(),
                header.fraction(MEAN, false),
                header.fraction(STD, true));
        header.checkOptionalEntries();
        Architecture architecture = header.named(ARCHITECTURE, architectures::get);
        Quantizer quantizer = header.named(QUANTIZER, quantizers::resolve);
        header.checkScaleRule(quantizer);
        String activations = Objects.requireNonNullElse(header.value(ACTIVATIONS), RunConfig.NO_ACTIVATIONS);
        if (header.value(ACTIVATIONS) != null) {
            header.named(ACTIVATIONS, schemes::canonicalActivations);
        }
        // Files written before layer policies existed quantized every layer, as "all" does.
        String policy = Objects.requireNonNullElse(header.value(LAYER_POLICY), LayerPolicy.ALL.id());
        header.checkLayerPolicy(schemes);
        RunSchemes runSchemes = header.named(QUANTIZER, spec -> schemes.forSpecs(spec, activations, policy));
        List<LayerScheme> layers;
        try {
            layers = checkQuantizedTensors(file, loaded.model(), architecture, quantizer, runSchemes, model);
        } catch (IllegalArgumentException e) {
            throw new BadInputException(
                    oneLine("Packed model '" + file + "' does not fit architecture '" + architecture.id() + "': "
                            + e.getMessage() + "."),
                    e);
        }
        return new Opened(file, loaded.model(), loaded.bytes(), architecture, quantizer, runSchemes, layers, model);
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
            throw new BadInputException("Packed model '" + opened.file() + "' has "
                    + opened.model().classes()
                    + " classes (header entry " + CLASSES + ") but " + images.name() + " in '" + images.directory()
                    + "' has " + images.classes() + ". Evaluate it on the dataset it was trained on.");
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
                throw invalid(
                        INPUT_SHAPE,
                        "expected channels,height,width as three whole numbers of at least 1," + " e.g. 1,28,28");
            }
            long values = 1;
            for (long dim : shape) {
                values *= Math.min(dim, MAX_INPUT_VALUES + 1); // capped, so the product cannot overflow
                if (values > MAX_INPUT_VALUES) {
                    throw invalid(
                            INPUT_SHAPE,
                            "an image of more than " + MAX_INPUT_VALUES + " values, which no"
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
            if (!(number >= 0 && number <= 1) || (positive && number == 0)) {
                throw invalid(
                        key,
                        positive
                                ? "expected a number above 0 and at most 1, the standard deviation of"
                                        + " pixels in [0, 1]"
                                : "expected a number from 0 to 1, the mean of pixels in [0, 1]");
            }
            return number;
        }

        /** The entries eval does not need are still checked when present: each is a value lowbit writes. */
        void checkOptionalEntries() {
            String dataset = metadata.get(DATASET);
            if (dataset != null && !Datasets.NAMES.contains(dataset)) {
                throw invalid(DATASET, "expected one of " + Datasets.NAMES);
            }
        }

        /** The layer policy, when present, is a preset or a layer map whose every spec exists. */
        void checkLayerPolicy(Schemes schemes) {
            String policy = metadata.get(LAYER_POLICY);
            if (policy == null) {
                return;
            }
            try {
                schemes.layerMap(policy);
            } catch (BadInputException e) {
                throw invalid(
                        LAYER_POLICY,
                        "expected one of "
                                + Arrays.stream(LayerPolicy.values())
                                        .map(LayerPolicy::id)
                                        .toList() + " or a layer map such as first=fp32;last=k17 (" + e.getMessage()
                                + ")");
            }
        }

        /** A header entry's value, or null when the file has none. */
        String value(String key) {
            return metadata.get(key);
        }

        /** The plugin an entry names, found by {@code lookup}; its refusal (what exists) names the file too. */
        <T> T named(String key, Function<String, T> lookup) {
            try {
                return lookup.apply(metadata.get(key));
            } catch (BadInputException e) {
                throw new BadInputException(
                        oneLine("Packed model '" + file + "', header entry " + key + ": " + e.getMessage()), e);
            }
        }

        /** The scale rule is written beside the quantizer's spec; the two must agree. */
        void checkScaleRule(Quantizer quantizer) {
            String rule = metadata.get(SCALE_RULE);
            if (rule != null && !rule.equals(quantizer.scaleRule())) {
                throw invalid(
                        SCALE_RULE,
                        "the header's quantizer '" + quantizer.spec() + "' has the scale rule '" + quantizer.scaleRule()
                                + "'");
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
            List<LayerScheme> trained = opened.layers();
            Block block = opened.architecture().build(input, opened.model().classes(), identity);
            QuantizedWeight.nameAll(block);
            // The decoded weights stay as they are (fp32); a layer whose input was quantized in training
            // quantizes it here too, with the same quantizer (deterministic: evaluation never draws).
            List<QuantizedBlock> blocks = QuantizedBlocks.in(block);
            QuantizerRandom noDraws = new QuantizerRandom(0);
            for (int i = 0; i < blocks.size(); i++) {
                LayerScheme scheme = trained.get(i);
                if (scheme.activations() != null) {
                    blocks.get(i)
                            .configure(
                                    new LayerScheme(
                                            identity,
                                            GradientEstimator.STE,
                                            scheme.activations(),
                                            scheme.inputEstimator()),
                                    noDraws);
                }
            }
            ModelPacking.initializeFrom(opened.packed(), block);
            block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(input));
            return block;
        } catch (IllegalArgumentException e) {
            throw new BadInputException(
                    oneLine("Packed model '" + opened.file() + "' does not fit architecture '"
                            + opened.architecture().id() + "': " + e.getMessage() + "."),
                    e);
        }
    }

    /**
     * The tensors the header's quantizer, activations and layer policy quantize must be exactly the file's
     * quantized tensors, each on the alphabet its layer's quantizer stores (a quantizer with trained levels,
     * TTQ's (-Wn, 0, Wp), stores its own, so only their number is checked). This makes the header's schemes
     * the ones the stored weights really are on: an fp32 file relabelled {@code ternary} would otherwise
     * evaluate as fp32 while eval printed {@code ternary}. The model is built here as it was trained (no
     * weights are allocated) to learn each layer's scheme.
     *
     * @return each quantized layer's scheme, in the order of {@link QuantizedBlocks#in}
     */
    private static List<LayerScheme> checkQuantizedTensors(
            Path file,
            PackedModel packed,
            Architecture architecture,
            Quantizer runQuantizer,
            RunSchemes runSchemes,
            ModelRecord model) {
        Block named = architecture.build(
                new Shape(model.inputDimensions()), model.classes(), runQuantizer, runSchemes.policy());
        QuantizedWeight.nameAll(named);
        runSchemes.layerSchemes().apply(named, new QuantizerRandom(0));
        Map<String, PackedTensor> stored = new LinkedHashMap<>();
        packed.tensors().forEach(tensor -> stored.put(tensor.name(), tensor));
        List<LayerScheme> schemes = new java.util.ArrayList<>();
        Set<String> layerWeights = new java.util.HashSet<>();
        for (QuantizedBlock block : QuantizedBlocks.in(named)) {
            QuantizedWeight weight = block.quantizedWeight();
            schemes.add(weight.scheme());
            layerWeights.add(weight.name());
            PackedTensor tensor = stored.get(weight.name());
            Quantizer quantizer = weight.quantizer();
            boolean expected = !quantizer.isFullPrecision();
            // A missing tensor, or one the model lacks, is initializeFrom's to report.
            if (tensor == null) {
                continue;
            }
            if (expected != (tensor instanceof QuantizedTensor)) {
                throw new BadInputException(oneLine("Packed model '" + file + "' does not match its header:"
                        + " tensor '" + tensor.name() + "' is stored " + (expected ? "in fp32" : "quantized") + " but "
                        + architecture.id() + " with quantizer '" + runQuantizer.spec()
                        + "' and layer policy '" + runSchemes.layerMap().canonical() + "' "
                        + (expected ? "quantizes it" : "keeps it in fp32") + "; the file was relabelled or written by"
                        + " something else. Export it again from its run."));
            }
            if (tensor instanceof QuantizedTensor quantized) {
                checkAlphabet(file, quantized, quantizer, learnsLevels(weight));
            }
        }
        // Codes only a quantized layer's weight can hold: any other quantized tensor has no quantizer to answer for it.
        for (PackedTensor tensor : packed.tensors()) {
            if (tensor instanceof QuantizedTensor && !layerWeights.contains(tensor.name())) {
                throw new BadInputException(
                        oneLine(
                                "Packed model '" + file + "' does not match its header: tensor '"
                                        + tensor.name() + "' is stored quantized but " + architecture.id()
                                        + " has no quantized layer"
                                        + " whose weight it is; the file was written by something else. Export it again from its run."));
            }
        }
        return schemes;
    }

    /** Whether the quantizer stores levels it trained (TTQ), rather than its fixed alphabet. */
    private static boolean learnsLevels(QuantizedWeight weight) {
        return weight.quantizer() instanceof LearnedQuantizer
                && !weight.trainedValues().isEmpty()
                && !weight.quantizer().learnsScale();
    }

    /** A quantized tensor holds codes on the alphabet of the quantizer its header names for its layer. */
    private static void checkAlphabet(Path file, QuantizedTensor tensor, Quantizer quantizer, boolean learnedLevels) {
        double[] expected = quantizer.alphabet().map(Alphabet::values).orElse(null);
        boolean fits = learnedLevels
                ? expected != null && tensor.alphabet().length == expected.length
                : Arrays.equals(tensor.alphabet(), expected);
        if (!fits) {
            throw new BadInputException(oneLine("Packed model '" + file + "' does not match its header: tensor '"
                    + tensor.name() + "' holds codes on the alphabet " + describe(tensor.alphabet())
                    + " but the header's quantizer for it, '" + quantizer.spec() + "', "
                    + (expected == null
                            ? "has no alphabet (full precision)"
                            : learnedLevels
                                    ? "stores " + expected.length + " trained levels"
                                    : "has the alphabet " + describe(expected))
                    + "; the file was relabelled or written by something else. Export it again from its run."));
        }
    }
}
