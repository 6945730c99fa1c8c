package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.plugin.OutsidePluginJar;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.store.RunIds;
import dev.lowbit.harness.train.EngineSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a finished run records about where it came from: the commit lowbit was built from, the suite
 * file and its SHA-256, the jars of plugins from outside lowbit; and its config.json beside run.json.
 */
@Tag("training")
class ProvenanceCliTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aRunFromASuiteFileRecordsTheFileItsHashAndTheCommitAndStoresItsConfig() throws Exception {
        Path suite = Files.writeString(dir.resolve("provenance.yaml"), """
                name: provenance
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32]
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 1}
                seeds: [1]
                trainLimit: 2000
                """);
        Path out = dir.resolve("results");

        CliTest.Result result = lowbit("run", "--suite", suite.toString(), "--out", out.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        Path run = onlyRun(out.resolve("provenance"));
        JsonNode record = json.readTree(run.resolve("run.json").toFile());
        JsonNode provenance = record.get("provenance");
        assertThat(record.get("config").get("suite").asText()).isEqualTo("provenance");
        assertThat(provenance.get("suite.source").asText())
                .isEqualTo(suite.toAbsolutePath().normalize().toString());
        assertThat(provenance.get("suite.sha256").asText()).isEqualTo(sha256(Files.readAllBytes(suite)));
        assertCommit(provenance);
        assertThat(fieldNames(provenance)).noneMatch(key -> key.startsWith("plugin.jar."));
        assertThat(provenance.get("threads.source").asText())
                .as("where the threads came from")
                .isNotBlank();
        assertThat(provenance.get("openmp.wait").asText()).isEqualTo(EngineSettings.waitPolicy());

        ObjectNode config =
                (ObjectNode) json.readTree(run.resolve(StoreLayout.CONFIG_FILE).toFile());
        assertThat(config.remove("schemaVersion").asInt())
                .as("config.json's schema version")
                .isEqualTo(1);
        assertThat(config).isEqualTo(record.get("config"));
        ResultStore store = new ResultStore(out);
        String runId = run.getFileName().toString();
        assertThat(store.readConfig("provenance", runId))
                .hasValueSatisfying(c -> assertThat(RunIds.of(c)).isEqualTo(runId));
    }

    @Test
    void aBuiltInSuiteRecordsItsResourceHashAndAPluginJarOnTheClassPathRecordsItsHash() throws Exception {
        Path jar = OutsidePluginJar.build(Files.createDirectories(dir.resolve("plugin")));
        Path out = dir.resolve("results");
        Path log = dir.resolve("child.log");

        Process child = ChildLowbit.start(
                log,
                List.of(jar),
                "run",
                "--suite",
                "quick",
                "--quantizer",
                "fp32",
                "--epochs",
                "1",
                "--train-limit",
                "2000",
                "--out",
                out.toString());

        assertThat(child.waitFor(5, TimeUnit.MINUTES))
                .as("lowbit finished within 5 minutes")
                .isTrue();
        assertThat(child.exitValue()).as(Files.readString(log)).isZero();
        JsonNode provenance = json.readTree(
                        onlyRun(out.resolve("quick")).resolve("run.json").toFile())
                .get("provenance");
        assertThat(provenance.get("suite.source").asText()).isEqualTo("built-in:quick");
        // The surefire working directory is the harness module: the resource as it is in the sources.
        assertThat(provenance.get("suite.sha256").asText())
                .isEqualTo(
                        sha256(Files.readAllBytes(Path.of("src/main/resources/dev/lowbit/harness/suites/quick.yaml"))));
        assertThat(fieldNames(provenance).filter(key -> key.startsWith("plugin.jar.")))
                .containsExactly("plugin.jar." + jar);
        assertThat(provenance.get("plugin.jar." + jar).asText()).isEqualTo(sha256(Files.readAllBytes(jar)));
        assertCommit(provenance);
    }

    /** lowbit.commit is the commit these classes were built from, the repository's HEAD when it can be read. */
    private static void assertCommit(JsonNode provenance) throws Exception {
        String commit = provenance.get("lowbit.commit").asText();
        assertThat(commit).as("built from a git checkout").matches("[0-9a-f]{7,40}(-dirty)?");
        Optional<String> head = head(Path.of("..", ".git"));
        head.ifPresent(id -> assertThat(commit.replace("-dirty", "")).isEqualTo(id));
    }

    /** The commit .git/HEAD points at, read without git; empty for layouts this does not follow (worktrees). */
    private static Optional<String> head(Path git) throws Exception {
        if (!Files.isDirectory(git)) {
            return Optional.empty();
        }
        String head =
                Files.readString(git.resolve("HEAD"), StandardCharsets.UTF_8).trim();
        if (!head.startsWith("ref: ")) {
            return Optional.of(head);
        }
        String ref = head.substring("ref: ".length());
        Path loose = git.resolve(ref);
        if (Files.isRegularFile(loose)) {
            return Optional.of(Files.readString(loose).trim());
        }
        Path packed = git.resolve("packed-refs");
        if (!Files.isRegularFile(packed)) {
            return Optional.empty();
        }
        return Files.readAllLines(packed).stream()
                .filter(line -> line.endsWith(" " + ref))
                .map(line -> line.substring(0, line.indexOf(' ')))
                .findFirst();
    }

    private static Path onlyRun(Path suite) throws Exception {
        try (Stream<Path> runs = Files.list(suite)) {
            List<Path> finished =
                    runs.filter(p -> Files.exists(p.resolve("run.json"))).toList();
            assertThat(finished).hasSize(1);
            return finished.get(0);
        }
    }

    private static Stream<String> fieldNames(JsonNode node) {
        Stream.Builder<String> names = Stream.builder();
        node.fieldNames().forEachRemaining(names::add);
        return names.build();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
