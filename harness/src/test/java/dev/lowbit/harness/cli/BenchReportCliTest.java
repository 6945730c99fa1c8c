package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.bench.ReportBenchmark;
import dev.lowbit.harness.bench.RunReplicator;
import dev.lowbit.reports.StoredResults;
import dev.lowbit.reports.StoredRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code lowbit bench report} on runs really trained through the CLI. Speed is the benchmark's business, not a test's. */
class BenchReportCliTest {

    /** Trained once for the tests that need stored runs (a few seconds: 2 runs, 1 epoch, 600 images). */
    @TempDir
    static Path trainedDir;

    private static Path trained;

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    @Tag("training")
    void benchmarksTheReportOverCopiesOfTheStoredRunsAndDeletesThem() throws Exception {
        Path results = trainedRuns();

        CliTest.Result result =
                lowbit("bench", "report", results.toString(), "--runs", "20", "--repeats", "1", "--format", "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode timings = json.readTree(result.out());
        assertThat(timings.get("runs").asInt()).isEqualTo(20);
        assertThat(timings.get("sourceRuns").asInt()).isEqualTo(2);
        assertThat(timings.get("copies").asInt()).isEqualTo(10);
        assertThat(timings.get("repeats").asInt()).isEqualTo(1);
        assertThat(timings.get("warmUpSeconds").asDouble()).isPositive();
        assertThat(timings.get("seconds")).hasSize(1);
        assertThat(timings.get("seconds").get(0).asDouble()).isPositive();
        assertThat(timings.get("medianSeconds").asDouble()).isPositive();
        assertThat(timings.get("minSeconds").asDouble()).isPositive();
        assertThat(timings.get("medianMillisPerRun").asDouble()).isPositive();
        JsonNode target = timings.get("target");
        assertThat(target.get("runs").asInt()).isEqualTo(500);
        assertThat(target.get("seconds").asDouble()).isEqualTo(10.0);
        assertThat(target.get("budgetSeconds").asDouble()).isEqualTo(0.4);
        assertThat(target.get("ratio").asDouble())
                .isCloseTo(timings.get("medianSeconds").asDouble() / 0.4, within(1e-12));
        assertThat(target.get("pass").isBoolean()).isTrue();
        assertThat(Path.of(timings.get("tempDir").asText())).doesNotExist();
        assertThat(result.err()).contains("Report 1/1: ").doesNotContain("warning");
    }

    @Test
    @Tag("training")
    void theTableNamesTheRunsTheTimesAndWhatIsComparedWithTheTarget() throws Exception {
        CliTest.Result result = lowbit("bench", "report", trainedRuns().toString(), "--runs", "3", "--repeats", "2");

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Report over 3 runs (2 stored runs under " + trainedRuns()
                        + ", 2 copies), 2 timed after 1 warm-up")
                .containsPattern("median +\\d+\\.\\d{3} s  = \\d+\\.\\d{2} ms per run")
                .containsPattern("min +\\d+\\.\\d{3} s")
                .containsPattern("warm-up +\\d+\\.\\d{3} s")
                .containsPattern("Target 500 runs < 10 s, scaled linearly to 3 runs: 0\\.060 s\\. Compared: median"
                        + " \\d+\\.\\d{3} s / 0\\.060 s = \\d+\\.\\d{2} -> (pass|FAIL)");
    }

    @Test
    @Tag("training")
    void eachCopyIsANewRunWithItsOwnSeedAndIdThatKeepsItsTwinAndUnknownFields() throws Exception {
        Path results = trainedRuns();
        RunReplicator replicator = RunReplicator.of(results, StoredResults.read(results));

        replicator.replicate(dir, 5);

        StoredResults copies = StoredResults.read(dir);
        assertThat(copies.skipped()).isEmpty();
        assertThat(copies.runs()).hasSize(5);
        List<String> ids =
                copies.runs().stream().map(r -> r.run().runId()).sorted().toList();
        String fp32 = originalId(results, "fp32");
        String ternary = originalId(results, "ternary");
        // Two whole copies, then the first run of a third in the report's order: the fp32 twin comes first.
        assertThat(ids)
                .containsExactlyInAnyOrder(fp32 + "-c0", ternary + "-c0", fp32 + "-c1", ternary + "-c1", fp32 + "-c2");
        assertThat(copies.runs())
                .allSatisfy(run -> assertThat(run.run().config().seed())
                        .isEqualTo(1
                                + RunReplicator.SEED_STEP
                                        * Long.parseLong(run.run().runId().replaceAll(".*-c", ""))));
        Set<RunConfig> configs =
                copies.runs().stream().map(r -> r.run().config()).collect(Collectors.toSet());
        assertThat(configs).hasSize(5).allSatisfy(config -> assertThat(configs).contains(config.twin()));

        Path copy = dir.resolve("quick").resolve(ternary + "-c1");
        try (Stream<Path> files = Files.list(copy)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("config.json", "run.json", "epochs.jsonl", "test-predictions.txt");
        }
        assertThat(copy.resolve("epochs.jsonl"))
                .hasSameTextualContentAs(
                        results.resolve("quick").resolve(ternary).resolve("epochs.jsonl"));
        JsonNode run = json.readTree(copy.resolve("run.json").toFile());
        assertThat(run.get("addedLater").get("note").asText()).isEqualTo("a field a newer lowbit writes");
        assertThat(run.get("runId").asText()).isEqualTo(ternary + "-c1");
        assertThat(run.get("config").get("seed").asLong()).isEqualTo(1001);
        ObjectNode config =
                (ObjectNode) json.readTree(copy.resolve("config.json").toFile());
        assertThat(config.remove("schemaVersion").asInt())
                .as("kept in the copy")
                .isEqualTo(1);
        assertThat(config).as("config.json agrees with run.json").isEqualTo(run.get("config"));
    }

    @Test
    @Tag("training")
    void theCopiesAreDeletedWhenTheBenchmarkFails() throws Exception {
        Path results = trainedRuns();
        List<Path> scratch = new ArrayList<>();
        ReportBenchmark failing = new ReportBenchmark(RunReplicator.of(results, StoredResults.read(results)), line -> {
            if (line.startsWith("Copying")) {
                scratch.add(Path.of(line.substring(line.lastIndexOf(' ') + 1)));
            } else {
                throw new IllegalStateException("stopped after the warm-up");
            }
        });

        assertThatThrownBy(() -> failing.measure(4, 1)).hasMessage("stopped after the warm-up");

        assertThat(scratch).hasSize(1);
        assertThat(scratch.get(0).getFileName().toString()).startsWith("lowbit-bench-report-");
        assertThat(scratch.get(0)).doesNotExist();
    }

    @Test
    void withoutASubcommandBenchListsTheBenchmarks() {
        CliTest.Result result = lowbit("bench");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .contains("Usage: lowbit bench")
                .containsPattern("\\n\\s+report\\s+Time the HTML report");
    }

    @Test
    void aMissingResultsFolderIsOneLineAndExitsTwo() {
        Path nowhere = dir.resolve("nowhere");
        CliTest.Result result = lowbit("bench", "report", nowhere.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No results folder '" + nowhere + "'. Run 'lowbit run --suite quick'"
                        + " first or give the --out folder of an earlier run." + System.lineSeparator());
    }

    @Test
    void aFolderWithoutFinishedRunsIsOneLineAndExitsTwo() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("quick").resolve("fcnn-small.fp32.s1.00000000"));
        Files.writeString(empty.resolve("epochs.jsonl"), ""); // in progress: no run.json yet
        CliTest.Result result = lowbit("bench", "report", dir.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No finished runs under '" + dir + "' to copy. Run 'lowbit run --suite"
                        + " quick' first or give the --out folder of an earlier run." + System.lineSeparator());
    }

    @Test
    void runsBelowOneIsOneLineAndExitsTwo() {
        CliTest.Result result = lowbit("bench", "report", dir.toString(), "--runs", "0");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("lowbit: --runs must be at least 1, got 0." + System.lineSeparator());
    }

    @Test
    void repeatsBelowOneIsOneLineAndExitsTwo() {
        CliTest.Result result = lowbit("bench", "report", dir.toString(), "--repeats", "-1");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).isEqualTo("lowbit: --repeats must be at least 1, got -1." + System.lineSeparator());
    }

    @Test
    void anUnknownFormatIsOneLineAndExitsTwo() {
        CliTest.Result result = lowbit("bench", "report", dir.toString(), "--format", "csv");
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Unknown --format 'csv'. Available: [table, json]." + System.lineSeparator());
    }

    /**
     * An fp32 run and its ternary twin, trained for real; the ternary run.json then gains a field this
     * version does not know, as a newer lowbit's would have, which the copies must keep.
     */
    private static synchronized Path trainedRuns() throws Exception {
        if (trained == null) {
            assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                    .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                    .exists();
            CliTest.Result run = lowbit(
                    "run",
                    "--quantizer",
                    "fp32,ternary",
                    "--epochs",
                    "1",
                    "--train-limit",
                    "600",
                    "--out",
                    trainedDir.toString());
            assertThat(run.exitCode()).as(run.err()).isZero();
            Path ternary = trainedDir.resolve("quick").resolve(originalId(trainedDir, "ternary"));
            ObjectMapper mapper = new ObjectMapper();
            ObjectNode record =
                    (ObjectNode) mapper.readTree(ternary.resolve("run.json").toFile());
            record.putObject("addedLater").put("note", "a field a newer lowbit writes");
            mapper.writeValue(ternary.resolve("run.json").toFile(), record);
            trained = trainedDir;
        }
        return trained;
    }

    /** The folder name (= run id) of the stored run with this quantizer id. */
    private static String originalId(Path results, String quantizer) throws Exception {
        return StoredResults.read(results).runs().stream()
                .map(StoredRun::run)
                .filter(run ->
                        run.quantizer().id().equals(quantizer) && !run.runId().contains("-c"))
                .map(run -> run.runId())
                .findFirst()
                .orElseThrow();
    }
}
