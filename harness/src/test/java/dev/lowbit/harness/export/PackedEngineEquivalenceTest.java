package dev.lowbit.harness.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.cli.CliTest;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.FashionMnist;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.train.Batches;
import dev.lowbit.harness.train.Evaluation;
import dev.lowbit.inference.NetworkSpec;
import dev.lowbit.inference.NetworkSpec.Family;
import dev.lowbit.inference.PackedNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The packed engine predicts what DJL predicts (issue #18, done-when 1): every family's small member, each
 * with the binary, ternary, quinary and k17 alphabets, trained for one epoch by {@code lowbit run} on real
 * Fashion-MNIST (a 2,000-image training subset), then its {@code model.lbw} evaluated on all 10,000 test images
 * twice, as {@code lowbit eval --engine djl} and {@code --engine packed} do: by DJL (the file rebuilt into fp32
 * blocks) and by {@link PackedNetwork} straight from the packed codes ({@link PackedEngines}), each through
 * {@link Evaluation} in its fixed batches, on the very same normalised images.
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedEngineEquivalenceTest {

    /** Where CI's {@code apt-get install dataset-fashion-mnist} puts the real data (as {@link CliTest} reads it). */
    private static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");

    private static final List<String> ARCHITECTURES = List.of("fcnn-small", "cnn-small", "vit-small");
    private static final List<String> ALPHABETS = List.of("binary", "ternary", "quinary", "k17");

    /** Attention heads of vit-small (VitSmallArchitecture: dim 48, depth 3, 3 heads); no tensor records them. */
    private static final int VIT_SMALL_HEADS = 3;

    /**
     * The allowed logit difference, relative to the logits' scale: {@code 1e-4 * max(1, max |logit|)}. Both
     * engines compute in float32 from the same decoded values, so they differ only in the order (and the
     * grouping, e.g. a ternary layer adding activations before applying the scale once) of their float32 sums,
     * and in float32 library functions (exp, tanh, sqrt) rounding differently in the last bit. Such rounding
     * is a few ulps (1e-7 relative) per operation and grows roughly with the square root of the terms summed
     * (784 inputs, 3x3x64 taps, through at most a dozen layers), staying far below 1e-4 of the logits'
     * magnitude; a wrong weight, scale, bias or layer shows at 1e-2 or more.
     */
    private static final double RELATIVE_TOLERANCE = 1e-4;

    @TempDir
    static Path dir;

    private final ObjectMapper json = new ObjectMapper();
    /** Each trained model.lbw, by "architecture alphabet". */
    private final Map<String, Path> models = new TreeMap<>();
    /** One line per model checked, printed at the end. */
    private final List<String> summary = new ArrayList<>();

    private PackedModels packedModels;
    private LabeledImages images;

    @BeforeAll
    void trainEveryFamilyWithEveryAlphabetOnce() throws Exception {
        assertThat(FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        // In this process (--workers 1), as the other training tests run: the machine's cores go to the engine.
        CliTest.Result run = CliTest.lowbit(
                "run",
                "--arch",
                String.join(",", ARCHITECTURES),
                "--quantizer",
                String.join(",", ALPHABETS),
                "--epochs",
                "1",
                "--train-limit",
                "2000",
                "--out",
                dir.toString(),
                "--workers",
                "1");
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (Stream<Path> children = Files.list(dir.resolve("quick"))) {
            for (Path folder : children.filter(p -> Files.exists(p.resolve(StoreLayout.RUN_FILE)))
                    .toList()) {
                JsonNode config = json.readTree(
                                folder.resolve(StoreLayout.RUN_FILE).toFile())
                        .get("config");
                String quantizer = config.get("quantizer").asText().split("@")[0];
                models.put(config.get("architecture").asText() + " " + quantizer, folder.resolve("model.lbw"));
            }
        }
        assertThat(models.keySet()).containsExactlyInAnyOrderElementsOf(names());
        PluginLoader loader = new PluginLoader(getClass().getClassLoader());
        packedModels = new PackedModels(
                QuantizerRegistry.load(loader), new ArchitectureRegistry(loader.load(Architecture.class)));
        // As lowbit eval finds the data: the header's dataset, LOWBIT_DATA or the default folders.
        images = Datasets.load(FashionMnist.NAME, null, System.getenv("LOWBIT_DATA"));
    }

    @AfterAll
    void printEveryModelsNumbers() {
        System.out.println("Packed engine vs DJL on " + images.test().size() + " Fashion-MNIST test images"
                + ", engine " + PackedEngines.engineName() + ":");
        summary.forEach(System.out::println);
    }

    private static List<String> names() {
        return ARCHITECTURES.stream()
                .flatMap(arch -> ALPHABETS.stream().map(alphabet -> arch + " " + alphabet))
                .toList();
    }

    Stream<Arguments> trainedModels() {
        return ARCHITECTURES.stream().flatMap(arch -> ALPHABETS.stream().map(alphabet -> Arguments.of(arch, alphabet)));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("trainedModels")
    void packedEngineGivesDjlsPredictionOnEveryTestImage(String architecture, String alphabet) {
        PackedModels.Opened opened = packedModels.open(models.get(architecture + " " + alphabet));
        PackedModels.requireFits(opened, images);
        int count = images.test().size();
        int classes = opened.model().classes();
        int imageValues = images.test().imageSize();

        // DJL, exactly as lowbit eval runs it; the images and logits of each batch are kept.
        float[] inputs = new float[count * imageValues];
        float[] djlLogits = new float[count * classes];
        Batches test = Batches.withNormalisation(
                images.test(),
                opened.model().normalisationMean(),
                opened.model().normalisationStd());
        int[] all = IntStream.range(0, count).toArray();
        Evaluation djl;
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = packedModels.rebuild(opened, manager);
            ParameterStore parameters = new ParameterStore(manager, false);
            int[] done = {0};
            djl = Evaluation.of(
                    x -> {
                        NDArray logits =
                                block.forward(parameters, new NDList(x), false).singletonOrThrow();
                        int batch = Math.toIntExact(x.getShape().get(0));
                        System.arraycopy(x.toFloatArray(), 0, inputs, done[0] * imageValues, batch * imageValues);
                        System.arraycopy(logits.toFloatArray(), 0, djlLogits, done[0] * classes, batch * classes);
                        done[0] += batch;
                        return logits;
                    },
                    test,
                    all,
                    manager);
            assertThat(done[0]).isEqualTo(count);
        }

        // The packed engine, exactly as lowbit eval --engine packed runs it; its images and logits are kept too.
        PackedEngines.Graph graph = PackedEngines.graph(opened, PackedEngines.EVAL_WITH_DJL);
        NetworkSpec spec = graph.spec();
        assertThat(spec.family()).isEqualTo(family(architecture));
        assertThat(spec.heads()).isEqualTo(architecture.startsWith("vit") ? VIT_SMALL_HEADS : 0);
        assertThat(graph.inputs()).as("no layer quantizes its inputs").isEmpty();
        PackedNetwork network = PackedEngines.load(opened.file(), opened.packed(), graph, PackedEngines.EVAL_WITH_DJL);
        float[] packedInputs = new float[count * imageValues];
        float[] packedLogits = new float[count * classes];
        int[] read = {0};
        Evaluation packed = Evaluation.of(
                (batchImages, batch) -> {
                    float[] logits = network.logits(batchImages, batch);
                    assertThat(logits).hasSize(batch * classes);
                    System.arraycopy(batchImages, 0, packedInputs, read[0] * imageValues, batch * imageValues);
                    System.arraycopy(logits, 0, packedLogits, read[0] * classes, batch * classes);
                    read[0] += batch;
                    return logits;
                },
                classes,
                test,
                all);
        assertThat(read[0]).isEqualTo(count);
        // Both engines were given the very same floats: only the engines differ.
        assertThat(packedInputs).as("the packed engine's images").isEqualTo(inputs);

        double maxLogit = 0;
        double maxDifference = 0;
        List<String> mismatches = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (packed.predictions()[i] != djl.predictions()[i]) {
                mismatches.add("image " + i + ": DJL " + topTwo(djlLogits, i * classes, classes) + ", packed "
                        + topTwo(packedLogits, i * classes, classes));
            }
            for (int c = i * classes; c < (i + 1) * classes; c++) {
                maxLogit = Math.max(maxLogit, Math.abs(djlLogits[c]));
                maxDifference = Math.max(maxDifference, Math.abs((double) djlLogits[c] - packedLogits[c]));
            }
        }
        double tolerance = RELATIVE_TOLERANCE * Math.max(1, maxLogit);
        summary.add(String.format(
                Locale.ROOT,
                "  %-10s %-7s accuracy DJL %.4f packed %.4f, loss DJL %.6f packed %.6f, max |logit| %.3f,"
                        + " max |difference| %.3e (tolerance %.1e), argmax mismatches %d",
                architecture,
                alphabet,
                djl.accuracy(),
                packed.accuracy(),
                djl.loss(),
                packed.loss(),
                maxLogit,
                maxDifference,
                tolerance,
                mismatches.size()));

        assertThat(mismatches)
                .as(
                        "%s %s: images whose packed argmax is not DJL's (top two logits, class=logit)",
                        architecture, alphabet)
                .isEmpty();
        assertThat(maxDifference)
                .as("%s %s: max |logit difference| (max |logit| %s)", architecture, alphabet, maxLogit)
                .isLessThanOrEqualTo(tolerance);
        // Cross-entropy, log(sum(exp(z))) - z[label], moves by at most twice its logits' largest change.
        assertThat(Math.abs(packed.loss() - djl.loss()))
                .as("%s %s: |loss difference|", architecture, alphabet)
                .isLessThanOrEqualTo(2 * tolerance);
        assertThat(packed.accuracy()).isEqualTo(djl.accuracy());
    }

    private static Family family(String architecture) {
        return switch (architecture.substring(0, architecture.indexOf('-'))) {
            case "fcnn" -> Family.FCNN;
            case "cnn" -> Family.CNN;
            case "vit" -> Family.VIT;
            default -> throw new IllegalArgumentException(architecture);
        };
    }

    /** The first index of the largest of {@code length} values from {@code offset}. */
    private static int argmax(float[] values, int offset, int length) {
        int best = 0;
        for (int c = 1; c < length; c++) {
            if (values[offset + c] > values[offset + best]) {
                best = c;
            }
        }
        return best;
    }

    /** The two largest logits as "class=logit, class=logit", with all their digits. */
    private static String topTwo(float[] values, int offset, int length) {
        int first = argmax(values, offset, length);
        int second = first == 0 ? 1 : 0;
        for (int c = 0; c < length; c++) {
            if (c != first && values[offset + c] > values[offset + second]) {
                second = c;
            }
        }
        return first + "=" + values[offset + first] + ", " + second + "=" + values[offset + second];
    }
}
