package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.FashionMnist;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every built-in scheme from the literature as a new user meets it (issue #14, done-when 1): trained by
 * {@code lowbit run} on real Fashion-MNIST, recorded in run.json, named with its W/A bits in the report,
 * and packed by {@code lowbit export} into a file whose {@code lowbit eval} gives the run's own test
 * predictions. Two grids into one results folder: every weight scheme on fcnn-small and cnn-small, each
 * with the activations it is published with (BitNet b1.58: int8), then DoReFa's 2-bit weights with each
 * activation scheme that has weights of its own elsewhere (DoReFa, LSQ) or none (PACT, whose paper
 * pairs it with DoReFa weights), on fcnn-small and cnn-small. 600 training images, 2 epochs.
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuiltInSchemesCliTest {

    /** A scheme, the architectures it trains on, what its runs record and how the report names them. */
    private record Scheme(
            String quantizer,
            String activations,
            List<String> architectures,
            String id,
            String estimator,
            double activationBits,
            String reportName,
            String bits) {}

    private static final double FP32 = 32.0;
    private static final List<String> BOTH = List.of("fcnn-small", "cnn-small");

    /** Found by the run.json config's canonical quantizer and activation specs. */
    private static final List<Scheme> SCHEMES = List.of(
            new Scheme(
                    "binaryconnect@absmean/tensor",
                    "none",
                    BOTH,
                    "binaryconnect",
                    "clipped",
                    FP32,
                    "binaryconnect@absmean/tensor",
                    "W1"),
            new Scheme(
                    "binaryconnect-stochastic@absmean/tensor",
                    "none",
                    BOTH,
                    "binaryconnect-stochastic",
                    "clipped",
                    FP32,
                    "binaryconnect-stochastic@absmean/tensor",
                    "W1"),
            new Scheme("xnor@absmean/channel", "none", BOTH, "xnor", "ste", FP32, "xnor@absmean/channel", "W1"),
            new Scheme("twn@twn/tensor", "none", BOTH, "twn", "ste", FP32, "twn@twn/tensor", "W1.58"),
            new Scheme("ttq@ttq/tensor", "none", BOTH, "ttq", "ste", FP32, "ttq@ttq/tensor", "W1.58"),
            new Scheme(
                    "dorefa:2@unit/tensor",
                    "none",
                    BOTH,
                    "dorefa:2",
                    "dorefa-tanh",
                    FP32,
                    "dorefa:2@unit/tensor",
                    "W2"),
            new Scheme("lsq:2@learned/tensor", "none", BOTH, "lsq:2", "ste", FP32, "lsq:2@learned/tensor", "W2"),
            new Scheme(
                    "bitnet-b1.58@absmean/tensor",
                    "int8@absmax/token",
                    BOTH,
                    "bitnet-b1.58",
                    "ste",
                    8.0,
                    "bitnet-b1.58@absmean/tensor + int8@absmax/token",
                    "W1.58A8"),
            new Scheme(
                    "dorefa:2@unit/tensor",
                    "dorefa:2",
                    BOTH,
                    "dorefa:2",
                    "dorefa-tanh",
                    2.0,
                    "dorefa:2@unit/tensor + dorefa:2",
                    "W2A2"),
            new Scheme(
                    "dorefa:2@unit/tensor",
                    "lsq:2",
                    BOTH,
                    "dorefa:2",
                    "dorefa-tanh",
                    2.0,
                    "dorefa:2@unit/tensor + lsq:2",
                    "W2A2"),
            new Scheme(
                    "dorefa:2@unit/tensor",
                    "pact:4",
                    BOTH,
                    "dorefa:2",
                    "dorefa-tanh",
                    4.0,
                    "dorefa:2@unit/tensor + pact:4",
                    "W2A4"));

    private static final Pattern EVAL_ACCURACY = Pattern.compile("Test accuracy (\\d\\.\\d{4}), loss ");

    @TempDir
    static Path dir;

    private final ObjectMapper json = new ObjectMapper();
    /** Run folders by run id. */
    private final Map<String, Path> runs = new TreeMap<>();

    @BeforeAll
    void trainEveryBuiltInSchemeInTwoGrids() throws Exception {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        // In this process (--workers 1): export and eval run in it too, and the packed file's scales match the
        // run's model.lbw to the last bit only with the engine threads the run trained with.
        CliTest.Result weights = lowbit(
                "run",
                "--arch",
                String.join(",", BOTH),
                "--epochs",
                "2",
                "--train-limit",
                "600",
                "--quantizer",
                "binaryconnect,binaryconnect-stochastic,xnor,twn,ttq,dorefa:2,lsq:2,bitnet-b1.58",
                "--out",
                dir.toString(),
                "--workers",
                "1");
        assertThat(weights.exitCode()).as(weights.err()).isZero();
        CliTest.Result activations = lowbit(
                "run",
                "--arch",
                String.join(",", BOTH),
                "--epochs",
                "2",
                "--train-limit",
                "600",
                "--quantizer",
                "dorefa:2",
                "--activations",
                "dorefa:2,lsq:2,pact:4",
                "--out",
                dir.toString(),
                "--workers",
                "1");
        assertThat(activations.exitCode()).as(activations.err()).isZero();
        try (Stream<Path> children = Files.list(dir.resolve("quick"))) {
            children.filter(p -> Files.exists(p.resolve(StoreLayout.RUN_FILE)))
                    .forEach(run -> runs.put(run.getFileName().toString(), run));
        }
    }

    @Test
    void everySchemeTrainedOnItsArchitecturesAndFinished() throws Exception {
        List<String> trained = runs.values().stream()
                .map(run -> {
                    JsonNode config = record(run).get("config");
                    return config.get("architecture").asText() + " "
                            + config.get("quantizer").asText() + " "
                            + config.get("activations").asText();
                })
                .sorted()
                .toList();
        List<String> expected = SCHEMES.stream()
                .flatMap(
                        s -> s.architectures().stream().map(arch -> arch + " " + s.quantizer() + " " + s.activations()))
                .sorted()
                .toList();
        assertThat(trained).isEqualTo(expected).hasSize(22);
        for (Path run : runs.values()) {
            JsonNode record = record(run);
            assertThat(record.get("status").asText()).as(run.toString()).isEqualTo("FINISHED");
            assertThat(record.get("epochsCompleted").asInt()).as(run.toString()).isEqualTo(2);
            assertThat(record.get("config").get("trainLimit").asInt()).isEqualTo(600);
        }
    }

    @Test
    void runJsonRecordsEachSchemesIdEstimatorAndActivationBits() throws Exception {
        for (Path run : runs.values()) {
            JsonNode record = record(run);
            Scheme scheme = schemeOf(record);
            JsonNode quantizer = record.get("quantizer");
            assertThat(quantizer.get("id").asText()).as(run.toString()).isEqualTo(scheme.id());
            assertThat(quantizer.get("estimator").asText()).as(run.toString()).isEqualTo(scheme.estimator());
            assertThat(quantizer.get("activations").get("spec").asText())
                    .as(run.toString())
                    .isEqualTo(scheme.activations());
            assertThat(quantizer.get("activations").get("bits").asDouble())
                    .as(run.toString())
                    .isEqualTo(scheme.activationBits());
        }
    }

    @Test
    void theReportNamesEverySchemeWithItsWeightAndActivationBits() throws Exception {
        Document page = Jsoup.parse(
                dir.resolve("quick").resolve("report").resolve("index.html").toFile());
        assertThat(page.select("table#runs tbody tr")).hasSize(runs.size());
        for (Map.Entry<String, Path> run : runs.entrySet()) {
            Scheme scheme = schemeOf(record(run.getValue()));
            Element row = page.selectFirst("table#runs tbody tr[data-run-id=" + run.getKey() + "]");
            assertThat(row).as(run.getKey()).isNotNull();
            assertThat(row.selectFirst("td.quantizer").text()).as(run.getKey()).isEqualTo(scheme.reportName());
            assertThat(row.selectFirst("td.bits").text()).as(run.getKey()).isEqualTo(scheme.bits());
            assertThat(row.selectFirst("td.status").text()).isEqualTo("FINISHED");
        }
    }

    @Test
    void exportThenEvalGivesEveryRunsTestPredictionsAndAccuracyExactly() throws Exception {
        int[] labels = Datasets.load(FashionMnist.NAME, CliTest.FASHION_MNIST, null)
                .test()
                .labels();
        for (Map.Entry<String, Path> run : runs.entrySet()) {
            Path exported = dir.resolve(run.getKey() + ".lbw");
            CliTest.Result export =
                    lowbit("export", run.getKey(), "--results", dir.toString(), "-o", exported.toString());
            assertThat(export.exitCode()).as(run.getKey() + ": " + export.err()).isZero();
            Path predictions = dir.resolve(run.getKey() + "-predictions.txt");

            CliTest.Result eval = lowbit("eval", exported.toString(), "--predictions", predictions.toString());

            assertThat(eval.exitCode()).as(run.getKey() + ": " + eval.err()).isZero();
            List<String> stored = Files.readAllLines(run.getValue().resolve(StoreLayout.PREDICTIONS_FILE));
            List<String> evaluated = Files.readAllLines(predictions);
            assertThat(evaluated).as(run.getKey()).hasSize(labels.length).isEqualTo(stored);
            double testAccuracy = record(run.getValue()).get("testAccuracy").asDouble();
            assertThat(accuracy(evaluated, labels)).as(run.getKey()).isEqualTo(testAccuracy);
            Matcher printed = EVAL_ACCURACY.matcher(eval.out());
            assertThat(printed.find()).as(eval.out()).isTrue();
            assertThat(Double.parseDouble(printed.group(1))).as(run.getKey()).isEqualTo(testAccuracy);
            assertThat(exported)
                    .as(run.getKey())
                    .hasSameBinaryContentAs(run.getValue().resolve(StoreLayout.MODEL_FILE));
        }
    }

    private static double accuracy(List<String> predictions, int[] labels) {
        int correct = 0;
        for (int i = 0; i < labels.length; i++) {
            if (Integer.parseInt(predictions.get(i)) == labels[i]) {
                correct++;
            }
        }
        return (double) correct / labels.length;
    }

    private JsonNode record(Path run) {
        try {
            return json.readTree(run.resolve(StoreLayout.RUN_FILE).toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Scheme schemeOf(JsonNode record) {
        String quantizer = record.get("config").get("quantizer").asText();
        String activations = record.get("config").get("activations").asText();
        return SCHEMES.stream()
                .filter(s -> s.quantizer().equals(quantizer) && s.activations().equals(activations))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no expected scheme " + quantizer + " + " + activations));
    }
}
