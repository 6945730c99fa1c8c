package dev.lowbit.harness.export;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.AllocationMeter;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks {@code lowbit eval} makes of a .lbw header, on files whose checksums are right but
 * whose header entries the fuzzer chooses: each entry valid by default, absent, a tricky value or
 * any string, over a quantized tensor on one of several alphabets. The file is opened and checked
 * against Fashion-MNIST's shape, or refused with one {@link BadInputException} line; what is
 * accepted holds only values in range, on the header quantizer's own alphabet.
 *
 * <p>Fuzz for N minutes (the corpus grows in {@code harness/.cifuzz-corpus}):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl harness -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='PackedModelsFuzzTest#headerIsCheckedOrRefused' \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((N * 60))
 * </pre>
 */
class PackedModelsFuzzTest {

    private static final PluginLoader LOADER = new PluginLoader(PackedModelsFuzzTest.class.getClassLoader());
    private static final QuantizerRegistry QUANTIZERS = QuantizerRegistry.load(LOADER);
    private static final PackedModels MODELS =
            new PackedModels(QUANTIZERS, new ArchitectureRegistry(LOADER.load(Architecture.class)));
    private static final Quantizer TERNARY = QUANTIZERS.resolve("ternary");
    /** Fashion-MNIST's shape: one test image of 1x28x28, 10 classes. */
    private static final LabeledImages FASHION_MNIST_SHAPED = new LabeledImages(
            "fashion-mnist",
            10,
            new ImageSet(new byte[784], new int[1], 1, 28, 28),
            new ImageSet(new byte[784], new int[1], 1, 28, 28),
            Path.of("fuzz"),
            Map.of());

    /** Each header entry as lowbit writes it for a ternary fcnn-small on Fashion-MNIST. */
    private static final Map<String, String> VALID = new LinkedHashMap<>();
    /** Values that are valid for some entry, or just past a bound. */
    private static final String[] TRICKY = {
        "",
        "0",
        "1",
        "2",
        "-1",
        "10",
        "65536",
        "65537",
        "NaN",
        "Infinity",
        "1e-45",
        "0.5",
        "1.0000001",
        "1,28,28",
        "3,32,32",
        "1,4096,4096",
        "1,4097,4096",
        "1,100000,100000",
        "0,28,28",
        "1,28",
        "fp32",
        "binary",
        "ternary@absmax",
        "levels:-2,-1,1,2",
        "levels:1",
        "k17@mse/channel",
        "fcnn-small",
        "vit-small",
        "fashion-mnist",
        "cifar-10",
        "all",
        "fp32-first-last",
        "mse/tensor",
        "none"
    };

    static {
        VALID.put(PackedModels.RUN_ID, "fcnn-small.ternary.s1");
        VALID.put(PackedModels.ARCHITECTURE, "fcnn-small");
        VALID.put(PackedModels.QUANTIZER, TERNARY.spec());
        VALID.put(PackedModels.SCALE_RULE, TERNARY.scaleRule());
        VALID.put(PackedModels.LAYER_POLICY, "all");
        VALID.put(PackedModels.DATASET, "fashion-mnist");
        VALID.put(PackedModels.INPUT_SHAPE, "1,28,28");
        VALID.put(PackedModels.CLASSES, "10");
        VALID.put(PackedModels.MEAN, "0.286");
        VALID.put(PackedModels.STD, "0.353");
    }

    @FuzzTest
    void headerIsCheckedOrRefused(FuzzedDataProvider data) throws Exception {
        Map<String, String> header = new LinkedHashMap<>();
        for (Map.Entry<String, String> entry : VALID.entrySet()) {
            switch (data.consumeInt(0, 3)) {
                case 0 -> header.put(entry.getKey(), entry.getValue());
                case 1 -> {} // absent
                case 2 -> header.put(entry.getKey(), data.pickValue(TRICKY));
                default -> header.put(entry.getKey(), data.consumeString(40));
            }
        }
        double[] alphabet = switch (data.consumeInt(0, 3)) {
            case 0 -> new double[] {-1, 0, 1};
            case 1 -> new double[] {-1, 1};
            case 2 -> new double[] {-2, -1, 1, 2};
            default -> new double[] {data.consumeRegularDouble(), data.consumeRegularDouble()};
        };
        // Named as fcnn-small's first layer (open checks names and which tensors are quantized; rebuild, shapes).
        List<PackedTensor> tensors = List.of(
                new QuantizedTensor(
                        "02QuantizedLinear_weight",
                        new long[] {2, 2},
                        alphabet,
                        new int[] {0, 1, 1, 0},
                        new long[] {1},
                        new float[] {0.5f}),
                new Fp32Tensor("02QuantizedLinear_bias", new long[] {2}, new float[] {1, 2}));
        Path file = Files.createTempFile("fuzz", ".lbw");
        try {
            LbwFile.write(new PackedModel(header, tensors), file);
            AllocationMeter.requireAtMost(
                    256 * Files.size(file) + (4 << 20), "opening a header", () -> openOrNull(file));
            PackedModels.Opened opened = openOrNull(file);
            if (opened != null) {
                requireValid(opened, alphabet);
            }
            if (header.equals(VALID) && alphabet.length == 3 && (opened == null || !fits(opened))) {
                throw new AssertionError("the header lowbit writes was refused");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static PackedModels.Opened openOrNull(Path file) {
        try {
            return MODELS.open(file);
        } catch (BadInputException refused) {
            requireOneLine(refused, file);
            return null;
        }
    }

    private static boolean fits(PackedModels.Opened opened) {
        try {
            PackedModels.requireFits(opened, FASHION_MNIST_SHAPED);
            return true;
        } catch (BadInputException refused) {
            requireOneLine(refused, opened.file());
            return false;
        }
    }

    /** What open accepts is in range, and on the alphabet of the quantizer eval decodes with. */
    private static void requireValid(PackedModels.Opened opened, double[] alphabet) {
        long[] shape = opened.model().inputDimensions();
        long values = Arrays.stream(shape).reduce(1, (a, b) -> a * b);
        float mean = opened.model().normalisationMean();
        float std = opened.model().normalisationStd();
        boolean valid = shape.length == 3
                && Arrays.stream(shape).allMatch(d -> d >= 1)
                && values <= PackedModels.MAX_INPUT_VALUES
                && opened.model().classes() >= 2
                && opened.model().classes() <= PackedModels.MAX_CLASSES
                && mean >= 0
                && mean <= 1
                && std > 0
                && std <= 1
                && Arrays.equals(
                        alphabet, opened.quantizer().alphabet().orElseThrow().values());
        if (!valid) {
            throw new AssertionError(
                    "accepted an invalid header: " + opened.packed().metadata());
        }
        if (fits(opened)
                && (shape[0] != 1
                        || shape[1] != 28
                        || shape[2] != 28
                        || opened.model().classes() != 10)) {
            throw new AssertionError("a model for " + Arrays.toString(shape) + " fits 1x28x28 images");
        }
    }

    private static void requireOneLine(BadInputException refused, Path file) {
        if (refused.getMessage().contains("\n") || !refused.getMessage().contains(file.toString())) {
            throw new AssertionError("not one line naming the file: " + refused.getMessage(), refused);
        }
    }
}
