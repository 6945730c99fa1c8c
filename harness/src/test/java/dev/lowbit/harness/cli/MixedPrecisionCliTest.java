package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.format.result.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mixed precision through the command line on fcnn-large and real Fashion-MNIST (issue #14, done-when
 * 3): group-wise scales ({@code levels:-2,-1,0,1,2@absmax/group:64}) and a layer map
 * ({@code ternary} with {@code first=k17;last=k17}), each as run.json records its memory, as its packed
 * file stores it, and as {@code lowbit export} and {@code lowbit eval} reproduce it. 600 training images,
 * 1 epoch.
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MixedPrecisionCliTest {

    private static final String GROUPS = "levels:-2,-1,0,1,2@absmax/group:64";
    private static final String MAP = "first=k17;last=k17";
    private static final String[] LAYERS = {"02QuantizedLinear", "04QuantizedLinear", "06QuantizedLinear"};
    private static final long[][] WEIGHT_SHAPES = {{1024, 784}, {1024, 1024}, {10, 1024}};
    private static final double[] K17 =
            IntStream.rangeClosed(-8, 8).asDoubleStream().toArray();
    private static final double[] TERNARY = {-1, 0, 1};
    private static final double LOG2_5 = Math.log(5) / Math.log(2);
    private static final double LOG2_17 = Math.log(17) / Math.log(2);
    private static final double LOG2_3 = Math.log(3) / Math.log(2);

    @TempDir
    static Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private Path groupRun;
    private Path mapRun;

    @BeforeAll
    void trainGroupScalesAndALayerMapOnFcnnLarge() throws Exception {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        CliTest.Result groups = lowbit(
                "run",
                "--arch",
                "fcnn-large",
                "--epochs",
                "1",
                "--train-limit",
                "600",
                "--quantizer",
                GROUPS,
                "--out",
                dir.toString());
        assertThat(groups.exitCode()).as(groups.err()).isZero();
        CliTest.Result map = lowbit(
                "run",
                "--arch",
                "fcnn-large",
                "--epochs",
                "1",
                "--train-limit",
                "600",
                "--quantizer",
                "ternary",
                "--layer-policy",
                MAP,
                "--out",
                dir.toString());
        assertThat(map.exitCode()).as(map.err()).isZero();
        try (Stream<Path> children = Files.list(dir.resolve("quick"))) {
            for (Path run : children.filter(p -> Files.exists(p.resolve(StoreLayout.RUN_FILE)))
                    .toList()) {
                JsonNode config = record(run).get("config");
                if (config.get("quantizer").asText().equals(GROUPS)) {
                    groupRun = run;
                } else if (config.get("layerPolicy").asText().equals("first=k17@mse/tensor;last=k17@mse/tensor")) {
                    mapRun = run;
                }
            }
        }
        assertThat(groupRun).as("the group run's folder").isNotNull();
        assertThat(mapRun).as("the layer-map run's folder").isNotNull();
    }

    @Test
    void groupScalesAreOnePerOutputRowAndGroupOf64InRunJson() throws Exception {
        JsonNode record = record(groupRun);
        assertThat(record.get("status").asText()).isEqualTo("FINISHED");
        assertThat(record.get("quantizer").get("scaleRule").asText()).isEqualTo("absmax/group:64");
        Map<String, JsonNode> tensors = quantizedTensors(record);
        assertThat(tensors.keySet()).containsExactly(weightNames());
        long scales = 0;
        for (int layer = 0; layer < LAYERS.length; layer++) {
            JsonNode tensor = tensors.get(LAYERS[layer] + "_weight");
            long out = WEIGHT_SHAPES[layer][0];
            long in = WEIGHT_SHAPES[layer][1];
            assertThat(tensor.get("scales").asLong()).as(LAYERS[layer]).isEqualTo(out * ((in + 63) / 64));
            assertThat(tensor.get("bitsPerWeight").asDouble())
                    .as(LAYERS[layer])
                    .isEqualTo(LOG2_5, within(1e-12))
                    .isCloseTo(2.32, within(0.005));
            scales += tensor.get("scales").asLong();
        }
        // 784 inputs: 12 groups of 64 and a last group of 16 per row.
        assertThat(tensors.get("02QuantizedLinear_weight").get("scales").asLong())
                .isEqualTo(1024 * 13);
        assertThat(record.get("memory").get("scales").asLong())
                .isEqualTo(scales)
                .isEqualTo(1024 * 13 + 1024 * 16 + 10 * 16);
    }

    @Test
    void groupScalesAreStoredPerRowWithAShorterLastGroupInThePackedFile() {
        PackedModel model =
                LbwFile.read(groupRun.resolve(StoreLayout.MODEL_FILE)).model();
        QuantizedTensor first = (QuantizedTensor) model.tensor("02QuantizedLinear_weight");

        assertThat(first.groupSize()).isEqualTo(64);
        assertThat(first.scaleShape()).containsExactly(1024, 13);
        assertThat(first.alphabet()).containsExactly(-2, -1, 0, 1, 2);
        // absmax puts each group's largest weight on +-2: so does every group, the 16 weights at the end
        // of each row included, if and only if the groups are the stored ones.
        int[] codes = first.codes();
        for (int row = 0; row < 1024; row++) {
            for (int group = 0; group < 13; group++) {
                int from = row * 784 + group * 64;
                int to = row * 784 + Math.min(784, group * 64 + 64);
                int widest = IntStream.range(from, to)
                        .map(i -> Math.abs(codes[i] - 2))
                        .max()
                        .orElseThrow();
                assertThat(widest).as("row %d, group %d", row, group).isEqualTo(2);
            }
        }
    }

    @Test
    void theLayerMapGivesTheFirstAndLastLayersK17AndTheMiddleTernaryInRunJson() throws Exception {
        JsonNode record = record(mapRun);
        assertThat(record.get("status").asText()).isEqualTo("FINISHED");
        assertThat(record.get("config").get("quantizer").asText()).isEqualTo("ternary@mse/tensor");
        Map<String, JsonNode> tensors = quantizedTensors(record);
        assertThat(tensors.keySet()).containsExactly(weightNames());
        for (String k17Layer : List.of("02QuantizedLinear_weight", "06QuantizedLinear_weight")) {
            JsonNode tensor = tensors.get(k17Layer);
            assertThat(tensor.get("bitsPerWeight").asDouble())
                    .as(k17Layer)
                    .isEqualTo(LOG2_17, within(1e-12))
                    .isCloseTo(4.09, within(0.005));
            assertThat(values(tensor)).as(k17Layer).containsExactly(K17);
            assertThat(tensor.get("levelCounts")).as(k17Layer).hasSize(17);
        }
        JsonNode middle = tensors.get("04QuantizedLinear_weight");
        assertThat(middle.get("bitsPerWeight").asDouble())
                .isEqualTo(LOG2_3, within(1e-12))
                .isCloseTo(1.58, within(0.005));
        assertThat(values(middle)).containsExactly(TERNARY);
        assertThat(middle.get("levelCounts")).hasSize(3);
    }

    @Test
    void theLayerMapsPackedFileHoldsK17CodesInTheFirstAndLastTensorsAndTernaryBetween() {
        PackedModel model = LbwFile.read(mapRun.resolve(StoreLayout.MODEL_FILE)).model();

        for (int layer = 0; layer < LAYERS.length; layer++) {
            QuantizedTensor tensor = (QuantizedTensor) model.tensor(LAYERS[layer] + "_weight");
            double[] alphabet = layer == 1 ? TERNARY : K17;
            assertThat(tensor.shape()).as(LAYERS[layer]).containsExactly(WEIGHT_SHAPES[layer]);
            assertThat(tensor.alphabet()).as(LAYERS[layer]).containsExactly(alphabet);
            assertThat(IntStream.of(tensor.codes()).distinct().sorted().toArray())
                    .as(LAYERS[layer] + " uses every level")
                    .containsExactly(IntStream.range(0, alphabet.length).toArray());
            assertThat(model.tensor(LAYERS[layer] + "_bias")).isInstanceOf(Fp32Tensor.class);
        }
    }

    @Test
    void exportThenEvalReproduceBothRunsTestAccuracyExactly() throws Exception {
        for (Path run : List.of(groupRun, mapRun)) {
            String runId = run.getFileName().toString();
            Path exported = dir.resolve(runId + ".lbw");
            CliTest.Result export = lowbit("export", runId, "--results", dir.toString(), "-o", exported.toString());
            assertThat(export.exitCode()).as(export.err()).isZero();
            Path predictions = dir.resolve(runId + "-predictions.txt");

            CliTest.Result eval = lowbit("eval", exported.toString(), "--predictions", predictions.toString());

            assertThat(eval.exitCode()).as(eval.err()).isZero();
            assertThat(Files.readAllLines(predictions))
                    .as(runId)
                    .isEqualTo(Files.readAllLines(run.resolve(StoreLayout.PREDICTIONS_FILE)));
            double stored = record(run).get("testAccuracy").asDouble();
            assertThat(eval.out()).contains(String.format(Locale.ROOT, "Test accuracy %.4f, loss ", stored));
            assertThat(exported).hasSameBinaryContentAs(run.resolve(StoreLayout.MODEL_FILE));
        }
    }

    @Test
    void listLayersNamesTheLayersTheMapsFirstAndLastSelect() throws Exception {
        CliTest.Result result = lowbit("list", "--layers", "fcnn-large");

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> rows = result.out().lines().skip(2).map(String::strip).toList();
        assertThat(rows)
                .containsExactly(
                        "0        -3  02QuantizedLinear  (1024, 784)",
                        "1        -2  04QuantizedLinear  (1024, 1024)",
                        "2        -1  06QuantizedLinear  (10, 1024)");
        // The names list prints at position 0 and -1 are the ones the run quantized with k17.
        Map<String, JsonNode> tensors = quantizedTensors(record(mapRun));
        String firstName = rows.get(0).split(" +")[2];
        String lastName = rows.get(rows.size() - 1).split(" +")[2];
        assertThat(values(tensors.get(firstName + "_weight"))).containsExactly(K17);
        assertThat(values(tensors.get(lastName + "_weight"))).containsExactly(K17);
    }

    private JsonNode record(Path run) throws Exception {
        return json.readTree(run.resolve(StoreLayout.RUN_FILE).toFile());
    }

    private static Map<String, JsonNode> quantizedTensors(JsonNode record) {
        Map<String, JsonNode> tensors = new LinkedHashMap<>();
        for (JsonNode tensor : record.get("memory").get("tensors")) {
            if (tensor.get("quantized").asBoolean()) {
                tensors.put(tensor.get("name").asText(), tensor);
            }
        }
        return tensors;
    }

    private static double[] values(JsonNode tensor) {
        return StreamSupport.stream(tensor.get("values").spliterator(), false)
                .mapToDouble(JsonNode::asDouble)
                .toArray();
    }

    private static String[] weightNames() {
        return Stream.of(LAYERS).map(layer -> layer + "_weight").toArray(String[]::new);
    }
}
