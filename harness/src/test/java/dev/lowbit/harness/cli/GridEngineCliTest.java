package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The grid engine on real data: divergence, parity and diagnostics, shards and locks. */
@Tag("training")
class GridEngineCliTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    private Path suite(String name, String recipes) throws Exception {
        return Files.writeString(dir.resolve(name + ".yaml"), """
                name: %s
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32, ternary, quinary]
                recipes:
                %s
                seeds: [1]
                trainLimit: 2000
                """.formatted(
                        name, recipes.indent(2).stripTrailing()));
    }

    private Map<String, JsonNode> runs(Path suiteDirectory) throws Exception {
        Map<String, JsonNode> runs = new TreeMap<>();
        try (Stream<Path> dirs = Files.list(suiteDirectory)) {
            for (Path run :
                    dirs.filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                runs.put(
                        run.getFileName().toString(),
                        json.readTree(run.resolve("run.json").toFile()));
            }
        }
        return runs;
    }

    @Test
    void aDivergingRunIsStoredWithItsEpochAndTheGridGoesOn() throws Exception {
        Path file = suite("diverge", """
                sane: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 2}
                absurd: {extends: sane, learningRate: 1.0e30}
                """);

        CliTest.Result result = lowbit("run", "--suite", file.toString(), "--out", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        Map<String, JsonNode> runs = runs(dir.resolve("diverge"));
        assertThat(runs).hasSize(6);
        List<String> diverged = new ArrayList<>();
        for (JsonNode run : runs.values()) {
            String recipe = run.get("config").get("recipe").get("name").asText();
            if (recipe.equals("sane")) {
                assertThat(run.get("status").asText()).isEqualTo("FINISHED");
            } else if (run.get("status").asText().equals("DIVERGED")) {
                assertThat(run.get("divergedEpoch").asInt()).isBetween(1, 2);
                assertThat(run.get("error").asText()).containsPattern("(loss became|weights stopped)");
                diverged.add(run.get("runId").asText());
            }
        }
        assertThat(diverged).isNotEmpty();
        assertThat(result.out()).contains(diverged.size() + " diverged, 0 failed");
    }

    @Test
    void sgdWithMomentumTrainsEveryQuantizer() throws Exception {
        Path file = suite("sgd", "momentum: {optimizer: sgd, learningRate: 0.05, batchSize: 128, epochs: 2}");

        CliTest.Result result = lowbit("run", "--suite", file.toString(), "--out", dir.toString());

        assertThat(result.exitCode()).as(result.out() + result.err()).isZero();
        Map<String, JsonNode> runs = runs(dir.resolve("sgd"));
        assertThat(runs).hasSize(3);
        for (JsonNode run : runs.values()) {
            assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("FINISHED");
            // Far above chance (0.10) on 1,800 images in 2 epochs: the updates move the weights the right way.
            assertThat(run.get("testAccuracy").asDouble())
                    .as(run.get("runId").asText())
                    .isGreaterThan(0.6);
        }
    }

    @Test
    void everyRunStoresParityAndEveryEpochItsStabilityDiagnostics() throws Exception {
        Path file = suite("parity", "base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 2}");

        assertThat(lowbit("run", "--suite", file.toString(), "--out", dir.toString())
                        .exitCode())
                .isZero();

        for (Map.Entry<String, JsonNode> run : runs(dir.resolve("parity")).entrySet()) {
            boolean fp32 = run.getValue().get("quantizer").get("id").asText().equals("fp32");
            JsonNode parity = run.getValue().get("parity");
            if (fp32) {
                assertThat(parity.isNull()).isTrue();
            } else {
                assertThat(parity.get("tolerance").asDouble()).isEqualTo(0.01);
                assertThat(parity.get("twinRunId").asText()).startsWith("fcnn-small.fp32.s1.");
                assertThat(parity.get("epochsObserved").asInt()).isEqualTo(2);
            }
            List<String> lines = Files.readAllLines(
                    dir.resolve("parity").resolve(run.getKey()).resolve("epochs.jsonl"));
            assertThat(lines).hasSize(2);
            for (String line : lines) {
                JsonNode epoch = json.readTree(line);
                assertThat(epoch.get("learningRate").asDouble())
                        .isCloseTo(0.001, org.assertj.core.data.Offset.offset(1e-9));
                assertThat(epoch.get("lossSpikes").asInt()).isGreaterThanOrEqualTo(0);
                if (!fp32) {
                    assertThat(epoch.get("flipRatio").asDouble()).isBetween(0.0, 1.0);
                    assertThat(epoch.get("beyondOutermostShare").asDouble()).isBetween(0.0, 1.0);
                    long occupied = 0;
                    for (JsonNode count : epoch.get("levelOccupancy").get("02QuantizedLinear_weight")) {
                        occupied += count.asLong();
                    }
                    assertThat(occupied).isEqualTo(784L * 128);
                }
            }
        }
    }

    @Test
    void twoShardsOnOneResultsDirectoryProduceTheFullGridOnce() throws Exception {
        Path file = suite("shards", "base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}");
        String[] common = {"run", "--suite", file.toString(), "--seeds", "1,2", "--out", dir.toString()};

        Process first = ChildLowbit.start(dir.resolve("shard1.log"), append(common, "--shard", "1/2"));
        Process second = ChildLowbit.start(dir.resolve("shard2.log"), append(common, "--shard", "2/2"));

        assertThat(first.waitFor())
                .as(Files.readString(dir.resolve("shard1.log")))
                .isZero();
        assertThat(second.waitFor())
                .as(Files.readString(dir.resolve("shard2.log")))
                .isZero();
        Map<String, JsonNode> runs = runs(dir.resolve("shards"));
        assertThat(runs).hasSize(6);
        for (String runId : runs.keySet()) {
            assertThat(Files.readAllLines(dir.resolve("shards").resolve(runId).resolve("epochs.jsonl")))
                    .hasSize(1);
        }
    }

    @Test
    void twoWorkersWithoutShardsShareTheGridThroughRunLocks() throws Exception {
        Path file = suite("locks", "base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}");
        String[] command = {"run", "--suite", file.toString(), "--seeds", "1,2", "--out", dir.toString()};

        Process first = ChildLowbit.start(dir.resolve("worker1.log"), command);
        Process second = ChildLowbit.start(dir.resolve("worker2.log"), command);

        assertThat(first.waitFor())
                .as(Files.readString(dir.resolve("worker1.log")))
                .isZero();
        assertThat(second.waitFor())
                .as(Files.readString(dir.resolve("worker2.log")))
                .isZero();
        Map<String, JsonNode> runs = runs(dir.resolve("locks"));
        assertThat(runs).hasSize(6);
        for (String runId : runs.keySet()) {
            assertThat(Files.readAllLines(dir.resolve("locks").resolve(runId).resolve("epochs.jsonl")))
                    .hasSize(1);
        }
    }

    private static String[] append(String[] args, String... more) {
        String[] all = java.util.Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return all;
    }
}
