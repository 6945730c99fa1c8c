package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packed engine on a trained model (ternary fcnn-small, one epoch on 2,000 real Fashion-MNIST images):
 * {@code lowbit eval --engine packed} predicts what {@code --engine djl} does on every test image, and
 * {@code lowbit bench inference} prints its table and its document. No timing is judged here: only that every
 * number is there and positive (benchmarks run by hand, on an idle machine).
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedEngineTrainedCliTest {

    @TempDir
    static Path dir;

    private Path model;
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void trainOneEpoch() throws Exception {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        CliTest.Result run = lowbit(
                "run", "--quantizer", "ternary", "--epochs", "1", "--train-limit", "2000", "--out", dir.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (Stream<Path> runs = Files.list(dir.resolve("quick"))) {
            model = runs.map(p -> p.resolve("model.lbw"))
                    .filter(Files::exists)
                    .findFirst()
                    .orElseThrow();
        }
    }

    @Test
    void thePackedEnginePredictsWhatDjlPredictsOnEveryTestImage() throws Exception {
        Path djlPredictions = dir.resolve("djl.txt");
        Path packedPredictions = dir.resolve("packed.txt");

        CliTest.Result djl = lowbit("eval", model.toString(), "--predictions", djlPredictions.toString());
        CliTest.Result packed =
                lowbit("eval", model.toString(), "--engine", "packed", "--predictions", packedPredictions.toString());

        assertThat(djl.exitCode()).as(djl.err()).isZero();
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        assertThat(packed.out()).containsPattern("Engine: packed \\(Vector API, \\d+-bit\\)");
        assertThat(Files.readAllLines(packedPredictions)).hasSize(10_000).isEqualTo(Files.readAllLines(djlPredictions));
        assertThat(accuracy(packed.out())).isEqualTo(accuracy(djl.out()));
    }

    private static String accuracy(String output) {
        Matcher matcher = Pattern.compile("Test accuracy (\\d\\.\\d{4})").matcher(output);
        assertThat(matcher.find()).as(output).isTrue();
        return matcher.group(1);
    }

    @Test
    void theBenchmarkPrintsBothEnginesTimesAndMeasuredMemory() {
        CliTest.Result table = lowbit(
                "bench",
                "inference",
                model.toString(),
                "--images",
                "20",
                "--batches",
                "2",
                "--repeats",
                "2",
                "--warm-up",
                "5");

        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out())
                .containsPattern("Engines: packed \\(Vector API, \\d+-bit\\); djl fp32 \\(PyTorch [0-9.]+\\)")
                .containsPattern("batch 1 median ms\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}")
                .containsPattern("batch 1 p99 ms\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}\\s+\\d+\\.\\d{3}")
                .containsPattern("batch 64 images/s\\s+\\d+\\.\\d\\s+\\d+\\.\\d\\s+\\d+\\.\\d{3}")
                // In this process DJL's model may reuse memory that earlier tests freed: its bytes can read 0 here.
                .containsPattern("resident weight bytes\\s+[0-9,]+\\s+[0-9,]+")
                .containsPattern("Same prediction on \\d+ of 20 batch-1 images")
                .contains("Resident bytes measured: packed, Java heap in use")
                .contains("djl, process's anonymous resident memory (RssAnon");
    }

    /**
     * In a process of its own, as the command runs: in this one, DJL's model could reuse native memory that earlier
     * tests' models freed, and its resident bytes would not show.
     */
    @Test
    void theBenchmarksDocumentHasEveryNumberPositive() throws Exception {
        Path log = dir.resolve("bench-inference.log");
        Process process = ChildLowbit.startWith(
                log,
                List.of("--add-modules", "jdk.incubator.vector"),
                "bench",
                "inference",
                model.toString(),
                "--images",
                "20",
                "--batches",
                "2",
                "--repeats",
                "2",
                "--warm-up",
                "5",
                "--format",
                "json");
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        // Standard error (the JVM's incubator warning, the progress line) comes first in the log, then the document.
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        JsonNode document = json.readTree(output.substring(output.indexOf('{')));
        assertThat(document.get("benchmark").asText()).isEqualTo("inference");
        assertThat(document.get("architecture").asText()).isEqualTo("fcnn-small");
        assertThat(document.get("comparedImages").asInt()).isEqualTo(20);
        for (String engine : List.of("packed", "djl")) {
            JsonNode timings = document.get(engine);
            for (String field : List.of("medianLatencySeconds", "p99LatencySeconds", "medianImagesPerSecond")) {
                assertThat(timings.get(field).asDouble())
                        .as(engine + "." + field)
                        .isPositive();
            }
            assertThat(timings.get("imagesPerSecondByRound")).hasSize(2);
        }
        for (String ratio : List.of("medianLatency", "p99Latency", "imagesPerSecond")) {
            assertThat(document.get("packedOverDjl").get(ratio).asDouble())
                    .as(ratio)
                    .isPositive();
        }
        JsonNode memory = document.get("memory");
        for (String field : List.of(
                "fileBytes",
                "packedWeightBytes",
                "packedResidentBytes",
                "djlResidentBytes",
                "fp32ParameterBytes",
                "residentOverFile",
                "djlOverPacked")) {
            assertThat(memory.get(field).asDouble()).as(field).isPositive();
        }
        assertThat(memory.get("fileBytes").asLong()).isEqualTo(Files.size(model));
        assertThat(memory.get("fp32ParameterBytes").asLong()).isEqualTo(101_770L * Float.BYTES);
    }
}
