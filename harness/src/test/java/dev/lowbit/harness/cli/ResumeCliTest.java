package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.store.RunIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety for real: a child JVM running {@code lowbit run} is killed with SIGKILL in the middle
 * of an epoch, the same command is run again, and the results equal those of a run that was never
 * interrupted.
 */
@Tag("training")
class ResumeCliTest {

    // One process with the same threads in every invocation: the test kills that process between the two runs
    // (run one after the other) and compares bit for bit with a reference, and a run's last bits depend on its
    // thread count; with --workers auto the kill would find both runs training in worker processes, 1 thread each,
    // and the resumed run would continue with all threads. Workers killed mid-grid: WorkersCliTest.
    private static final String[] GRID = {
        "run",
        "--suite",
        "quick",
        "--quantizer",
        "fp32,ternary",
        "--epochs",
        "4",
        "--train-limit",
        "12000",
        "--workers",
        "1"
    };

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRunKilledMidEpochResumesToExactlyTheUninterruptedResult() throws Exception {
        Path interrupted = dir.resolve("interrupted");
        Process child = ChildLowbit.start(dir.resolve("child.log"), args(interrupted));
        // Kill once the quantized run (the second) has stored two epochs: the checkpoint of the first
        // is then certainly on disk (it is written before the second epoch starts).
        Path ternaryEpochs = waitForEpochs(interrupted, "ternary", 2, child);
        child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no flush
        int epochsAtKill = Files.readAllLines(ternaryEpochs).size();
        assertThat(epochsAtKill).as("killed before the run finished").isLessThan(4);
        assertThat(Files.exists(ternaryEpochs.resolveSibling("run.json"))).isFalse();
        // The unfinished run says what it is: its config.json was written before its first epoch.
        String killedId = ternaryEpochs.getParent().getFileName().toString();
        ResultStore store = new ResultStore(interrupted);
        assertThat(store.readRun("quick", killedId)).isEmpty();
        assertThat(store.readConfig("quick", killedId)).hasValueSatisfying(config -> {
            assertThat(RunIds.of(config)).isEqualTo(killedId);
            assertThat(config.quantizer()).startsWith("ternary");
        });
        Path killedConfig = ternaryEpochs.resolveSibling(StoreLayout.CONFIG_FILE);
        String configAtKill = Files.readString(killedConfig);

        CliTest.Result resumed = lowbit(args(interrupted));
        CliTest.Result reference = lowbit(args(dir.resolve("reference")));

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.out()).contains("Trained 1, skipped 1 finished");
        assertThat(resumed.err()).containsPattern("resumed after epoch [12] from its checkpoint");
        assertThat(reference.exitCode()).as(reference.err()).isZero();
        Map<String, JsonNode> resumedRuns = runs(interrupted);
        Map<String, JsonNode> referenceRuns = runs(dir.resolve("reference"));
        assertThat(resumedRuns.keySet()).hasSize(2).isEqualTo(referenceRuns.keySet());
        assertThat(Files.readString(killedConfig))
                .as("the resumed run keeps its config")
                .isEqualTo(configAtKill);
        ObjectNode storedConfig = (ObjectNode) json.readTree(killedConfig.toFile());
        assertThat(storedConfig.remove("schemaVersion").asInt())
                .as("config.json's schema version")
                .isEqualTo(1);
        assertThat(storedConfig).isEqualTo(resumedRuns.get(killedId).get("config"));
        for (String runId : referenceRuns.keySet()) {
            JsonNode a = resumedRuns.get(runId);
            JsonNode b = referenceRuns.get(runId);
            assertThat(a.get("testAccuracy")).as(runId).isEqualTo(b.get("testAccuracy"));
            assertThat(a.get("testLoss")).as(runId).isEqualTo(b.get("testLoss"));
            assertThat(epochMetrics(interrupted, runId))
                    .as(runId)
                    .isEqualTo(epochMetrics(dir.resolve("reference"), runId));
        }
    }

    @Test
    void theSameSeedGivesIdenticalEpochMetricsTwice() throws Exception {
        String[] args = {"run", "--suite", "quick", "--quantizer", "ternary", "--epochs", "2", "--train-limit", "3000"};
        assertThat(lowbit(append(args, "--out", dir.resolve("a").toString())).exitCode())
                .isZero();
        assertThat(lowbit(append(args, "--out", dir.resolve("b").toString())).exitCode())
                .isZero();
        String runId = runs(dir.resolve("a")).keySet().iterator().next();
        List<JsonNode> first = epochMetrics(dir.resolve("a"), runId);
        assertThat(first).hasSize(2).isEqualTo(epochMetrics(dir.resolve("b"), runId));
        assertThat(first.get(1).get("flipRatio").asDouble()).isBetween(0.0, 1.0);
        assertThat(first.get(1).get("levelOccupancy").size()).isEqualTo(2);
    }

    private String[] args(Path out) {
        return append(GRID, "--out", out.toString());
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }

    /** Waits until the run whose id contains {@code quantizer} has stored {@code count} epochs. */
    private Path waitForEpochs(Path out, String quantizer, int count, Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            assertThat(child.isAlive())
                    .as("child ended early; see " + dir.resolve("child.log"))
                    .isTrue();
            Path suite = out.resolve("quick");
            if (Files.isDirectory(suite)) {
                try (Stream<Path> runs = Files.list(suite)) {
                    for (Path run : runs.filter(p -> p.getFileName().toString().contains("." + quantizer + "."))
                            .toList()) {
                        Path epochs = run.resolve("epochs.jsonl");
                        if (Files.exists(epochs) && Files.readAllLines(epochs).size() >= count) {
                            return epochs;
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no " + quantizer + " epoch within 3 minutes; see " + dir.resolve("child.log"));
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

    /** Every epoch's metrics without its wall-clock time. */
    private List<JsonNode> epochMetrics(Path out, String runId) throws Exception {
        List<JsonNode> epochs = new ArrayList<>();
        for (String line :
                Files.readAllLines(out.resolve("quick").resolve(runId).resolve("epochs.jsonl"))) {
            ObjectNode epoch = (ObjectNode) json.readTree(line);
            epoch.remove("seconds");
            epochs.add(epoch);
        }
        return epochs;
    }
}
