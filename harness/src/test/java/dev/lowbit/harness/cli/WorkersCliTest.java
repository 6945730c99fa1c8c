package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.FASHION_MNIST;
import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.store.ResultStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lowbit run --workers N} for real: the grid trained by N child processes of this (in-process) CLI,
 * sharing the result store's locks, summed up and reported once.
 */
@Tag("training")
class WorkersCliTest {

    private static final String SUMMARY =
            "Trained %d, skipped %d finished, %d held by other workers, %d diverged, %d failed.";

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @AfterEach
    void noWorkerOutlivesItsCoordinator() {
        assertThat(workerProcesses()).as("worker processes left running").isEmpty();
    }

    @Test
    void twoWorkersTrainTheGridOnceEachRunInOneOfThemAndTheRerunNeedsNone() throws Exception {
        String[] args = quick(dir, "1", "2000", "--workers", "2");

        CliTest.Result result = lowbit(args);

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> out = result.out().lines().toList();
        assertThat(out.get(0)).isEqualTo("Suite 'quick': 4 runs -> " + dir.resolve("quick") + ", 2 workers x 1 thread");
        assertThat(out).contains(SUMMARY.formatted(4, 0, 0, 0, 0));
        assertThat(out.stream().filter(line -> line.startsWith("Report: ")))
                .as("the report, written once")
                .hasSize(1);
        Path report = dir.resolve("quick/report/index.html");
        assertThat(Jsoup.parse(report.toFile()).select("table#runs tbody tr"))
                .as("written after all 4")
                .hasSize(4);
        // Each worker's lines come whole, with its prefix; both were there.
        for (String line :
                result.err().lines().filter(line -> line.contains("[worker")).toList()) {
            assertThat(line).matches("\\[worker [12]\\] [^\\[]*");
        }
        assertThat(result.err()).contains("[worker 1] ").contains("[worker 2] ");

        Map<String, JsonNode> runs = runs(dir);
        assertThat(runs).hasSize(4);
        for (JsonNode run : runs.values()) {
            assertThat(run.get("status").asText()).isEqualTo("FINISHED");
            JsonNode provenance = run.get("provenance");
            assertThat(provenance.get("worker").asText())
                    .as("which worker trained it")
                    .isIn("1/2", "2/2");
            assertThat(provenance.get("threads").asText())
                    .as("the 2-thread budget split in two")
                    .isEqualTo("1");
            if (!run.get("quantizer").get("id").asText().equals("fp32")) {
                // Filled in once all workers ended, whichever trained the fp32 twin and when.
                JsonNode parity = run.get("parity");
                assertThat(parity.get("twinRunId").asText()).startsWith("fcnn-small.fp32.s1.");
                assertThat(parity.get("epochsObserved").asInt()).isEqualTo(1);
            }
        }

        // A fresh 'lowbit export' would take all cores, but packs with the thread the run trained with: the scales'
        // last bits are those of its model.lbw (binary's and ternary's differed with 2 threads on 2 cores).
        for (String runId : runs.keySet().stream()
                .filter(id -> id.matches(".*\\.(binary|ternary)\\..*"))
                .toList()) {
            Path exported = dir.resolve(runId + ".lbw");
            Path log = dir.resolve(runId + "-export.log");
            Process export =
                    ChildLowbit.start(log, "export", runId, "--results", dir.toString(), "-o", exported.toString());
            assertThat(export.waitFor()).as(Files.readString(log)).isZero();
            assertThat(exported)
                    .hasSameBinaryContentAs(dir.resolve("quick").resolve(runId).resolve("model.lbw"));
        }

        CliTest.Result rerun = lowbit(args);

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.out())
                .startsWith("Suite 'quick': 4 runs -> " + dir.resolve("quick") + System.lineSeparator())
                .contains(SUMMARY.formatted(0, 4, 0, 0, 0));
        assertThat(rerun.err()).as("nothing to train: no worker started").doesNotContain("[worker");
    }

    @Test
    void aRunLockedOutsideIsHeldByAnotherWorkerWhileRunsTheWorkersShareAreNot() throws Exception {
        String[] args = quick(dir, "1", "2000", "--quantizer", "fp32,ternary,binary", "--workers", "2");
        CliTest.Result plan = lowbit(
                "plan",
                "--suite",
                "quick",
                "--quantizer",
                "fp32,ternary,binary",
                "--epochs",
                "1",
                "--train-limit",
                "2000");
        String binary = plan.out()
                .lines()
                .filter(line -> line.startsWith("fcnn-small.binary."))
                .map(line -> line.split(" ")[0])
                .findFirst()
                .orElseThrow(() -> new AssertionError(plan.out()));

        CliTest.Result result;
        // This JVM is another worker, outside the command, training the binary run.
        try (ResultStore.RunLock held =
                new ResultStore(dir).tryLock("quick", binary).orElseThrow()) {
            result = lowbit(args);
        }

        assertThat(result.exitCode()).as(result.err()).isZero();
        // A run one worker found locked by its sibling counts as trained; only the binary run is someone else's.
        assertThat(result.out()).contains(SUMMARY.formatted(2, 0, 1, 0, 0));
        assertThat(result.err())
                .contains("[worker 1] skip " + binary + " (another worker is training it)")
                .contains("[worker 2] skip " + binary + " (another worker is training it)");
        assertThat(runs(dir).keySet()).hasSize(2).noneMatch(binary::equals);
    }

    @Test
    void withJsonTheSummaryDocumentIsAloneOnStandardOutputAndTheWorkersLinesOnTheLog() throws Exception {
        CliTest.Result result = lowbit(quick(
                dir,
                "1",
                "500",
                "--quantizer",
                "fp32,ternary",
                "--workers",
                "2",
                "--threads",
                "2",
                "--format",
                "json"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = json.readTree(result.out());
        assertThat(summary.get("schema").asText()).isEqualTo("lowbit.run/1");
        assertThat(summary.get("trained").asInt()).isEqualTo(2);
        assertThat(summary.get("report").asText())
                .isEqualTo(dir.resolve("quick/report/index.html").toString());
        assertThat(result.err())
                .contains("Suite 'quick': 2 runs -> " + dir.resolve("quick") + ", 2 workers x 1 thread")
                .contains("[worker 1] ")
                .contains("[worker 2] ");
    }

    @Test
    void autoOnOneThreadTrainsInThisProcess() throws Exception {
        CliTest.Result result = lowbit(quick(dir, "1", "2000", "--quantizer", "fp32,ternary", "--threads", "1"));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .startsWith("Suite 'quick': 2 runs -> " + dir.resolve("quick") + System.lineSeparator())
                .contains(SUMMARY.formatted(2, 0, 0, 0, 0));
        assertThat(result.err()).doesNotContain("[worker");
        for (JsonNode run : runs(dir).values()) {
            assertThat(run.get("provenance").get("threads").asText()).isEqualTo("1");
            assertThat(run.get("provenance").has("worker"))
                    .as("trained by no worker")
                    .isFalse();
        }
    }

    @Test
    void noWorkersIsOneLineAndExitsTwoBeforeAnything() {
        CliTest.Result result = lowbit("run", "--workers", "0", "--out", dir.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Invalid --workers '0': give a whole number of at least 1 (1 trains"
                        + " in this process alone) or auto (one per engine thread, at most one per run still to train)."
                        + System.lineSeparator());
        assertThat(result.out()).isEmpty();
        assertThat(dir.resolve("quick")).doesNotExist();
    }

    @Test
    void dataTheWorkersCannotReadIsOneLineOnceAndExitsTwo() throws Exception {
        Path nowhere = dir.resolve("no-data");
        Path out = dir.resolve("results");

        CliTest.Result result = lowbit("run", "--workers", "2", "--data", nowhere.toString(), "--out", out.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        // The engine line (the budget, said before any worker starts), then the workers' one line, said once.
        assertThat(result.err().lines())
                .as(result.err())
                .hasSize(2)
                .first()
                .asString()
                .startsWith("engine: ");
        assertThat(result.err().lines().skip(1))
                .singleElement()
                .asString()
                .startsWith("lowbit: Fashion-MNIST not found; looked in '" + nowhere + "'.");
        try (Stream<Path> left = Files.walk(out)) {
            assertThat(left.filter(Files::isRegularFile))
                    .as("no run folder is made before the data loads")
                    .isEmpty();
        }
    }

    @Test
    void aWorkerKilledMidGridIsOneLineTheOtherGoesOnAndTheNextRunCompletesTheGrid() throws Exception {
        String[] args = quick(dir, "3", "6000", "--workers", "2");
        CompletableFuture<CliTest.Result> coordinator = CompletableFuture.supplyAsync(() -> lowbit(args));

        // Worker 2 holds a run's lock and has stored an epoch of it: kill -9 it in the middle of that run.
        ProcessHandle second = null;
        String killedRun = null;
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (killedRun == null) {
            assertThat(Instant.now())
                    .as("worker 2 trained no run within 3 minutes")
                    .isBefore(deadline);
            if (coordinator.isDone()) {
                throw new AssertionError("the grid ended before worker 2 trained: "
                        + coordinator.get().err());
            }
            Thread.sleep(20);
            second = workerProcesses().stream()
                    .filter(p -> arguments(p).contains("2/2"))
                    .findFirst()
                    .orElse(null);
            if (second != null) {
                String training = training(second).orElse(null);
                if (training != null && epochs(dir, training) >= 1) {
                    killedRun = training;
                }
            }
        }
        second.destroyForcibly();
        CliTest.Result result = coordinator.get(5, TimeUnit.MINUTES);

        List<String> deaths = result.err()
                .lines()
                .filter(line -> line.startsWith("lowbit: worker"))
                .toList();
        assertThat(deaths).hasSize(1);
        String death = "lowbit: worker 2 of 2 ended unexpectedly (killed by signal 9) while training " + killedRun;
        if (deaths.get(0).equals(death + ", which another worker then took over, and the other workers went on.")) {
            // Worker 1 had not reached that run yet: it continued it from worker 2's checkpoint.
            assertThat(result.exitCode()).as(result.err()).isZero();
        } else {
            assertThat(deaths.get(0))
                    .isEqualTo(death + "; the next 'lowbit run' continues it from its checkpoint,"
                            + " and the other workers went on.");
            assertThat(result.exitCode())
                    .as("a run is left unfinished: " + result.err())
                    .isEqualTo(1);
        }
        assertThat(result.err()).as("worker 1 went on").contains("[worker 1] ");
        int finished = runs(dir).size();
        assertThat(finished).as("worker 1 finished runs after the kill").isGreaterThanOrEqualTo(1);
        // Unless worker 1 took it over, the killed run counts as neither trained nor held by another worker.
        assertThat(result.out()).contains(SUMMARY.formatted(finished, 0, 0, 0, 0));

        CliTest.Result next = lowbit(args);

        assertThat(next.exitCode()).as(next.err()).isZero();
        assertThat(next.out()).contains(SUMMARY.formatted(4 - finished, finished, 0, 0, 0));
        Map<String, JsonNode> runs = runs(dir);
        assertThat(runs).hasSize(4);
        runs.values().forEach(run -> assertThat(run.get("status").asText()).isEqualTo("FINISHED"));
        assertThat(Files.readAllLines(dir.resolve("quick").resolve(killedRun).resolve("epochs.jsonl")))
                .hasSize(3);
    }

    /** {@code run} of the quick suite on real data into {@code out}, with {@code more} options. */
    private static String[] quick(Path out, String epochs, String trainLimit, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "--suite",
                "quick",
                "--epochs",
                epochs,
                "--train-limit",
                trainLimit,
                "--data",
                FASHION_MNIST.toString(),
                "--out",
                out.toString()));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }

    /** This JVM's worker processes, the children a {@code lowbit run --workers N} started. */
    private static List<ProcessHandle> workerProcesses() {
        return ProcessHandle.current()
                .descendants()
                .filter(p -> arguments(p).contains("--worker"))
                .toList();
    }

    /**
     * The process's arguments from /proc: {@link ProcessHandle.Info#arguments} gives none for a command line over
     * 4 KB, and a worker started from the test class path has a longer one.
     */
    private static List<String> arguments(ProcessHandle process) {
        try {
            String commandLine = Files.readString(Path.of("/proc", String.valueOf(process.pid()), "cmdline"));
            return List.of(commandLine.split("\0"));
        } catch (java.io.IOException e) {
            return List.of(); // it has ended
        }
    }

    /** The run a worker trains now, from the summary file its coordinator gave it. */
    private Optional<String> training(ProcessHandle worker) throws Exception {
        List<String> arguments = arguments(worker);
        Path summary = Path.of(arguments.get(arguments.indexOf("--worker-summary") + 1));
        if (!Files.exists(summary)) {
            return Optional.empty();
        }
        try {
            JsonNode training = json.readTree(summary.toFile()).get("training");
            return training == null || training.isNull() ? Optional.empty() : Optional.of(training.asText());
        } catch (java.io.IOException e) {
            return Optional.empty(); // replaced while read
        }
    }

    private static long epochs(Path out, String runId) throws Exception {
        Path epochs = out.resolve("quick").resolve(runId).resolve("epochs.jsonl");
        return Files.exists(epochs) ? Files.readAllLines(epochs).size() : 0;
    }

    private Map<String, JsonNode> runs(Path out) throws Exception {
        Map<String, JsonNode> runs = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(out.resolve("quick"))) {
            for (Path run :
                    dirs.filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                runs.put(
                        run.getFileName().toString(),
                        json.readTree(run.resolve("run.json").toFile()));
            }
        }
        return runs;
    }
}
