package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static dev.lowbit.harness.cli.ReadmeMaven.PACKAGE;
import static dev.lowbit.harness.cli.ReadmeMaven.attribute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.StoreLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write a training-aware scheme", followed to the letter: its files (the pom taken from the
 * int3 guide with the artifact id the section names) make a fresh project that {@code mvn package} builds
 * against lowbit's deployed artifacts, running the contract kit on the stochastic quantizer, the estimator and the
 * activation quantizer. Then, through the real CLI, the scheme trains; a second copy of the same run is
 * killed with SIGKILL after its first checkpoint and resumed, and must end bit for bit where the
 * uninterrupted run ended, stochastic rounding included (the generator's state is in the checkpoint); its
 * exported model evaluates twice to the same predictions and the stored test accuracy.
 */
@Tag("training")
class SchemePluginFromReadmeTest {

    private static final String HEADING = "### Write a training-aware scheme: randomness, an estimator, activations";
    private static final String ARTIFACT = "<artifactId>training-schemes</artifactId>";
    private static final String[] TRAIN = {
        "run",
        "--quantizer",
        "sr-ternary~my-clipped",
        "--activations",
        "my-int4",
        "--arch",
        "fcnn-small",
        "--epochs",
        "3",
        "--train-limit",
        "1000"
    };
    /** What differs between two runs of the same training: when they ran. */
    private static final List<String> WALL_CLOCK = List.of("startedAt", "finishedAt");

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aStochasticSchemeFromTheReadmeResumesBitIdenticallyAfterKillNineAndEvaluatesAsItStored() throws Exception {
        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = Files.copy(buildTheReadmeProject(), plugins.resolve("training-schemes-1.0.jar"))
                .toAbsolutePath();
        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        String source = Pattern.quote(jar + " (version 1.0)") + "\n";
        assertThat(list.out())
                .containsPattern("\n  sr-ternary\\s+3\\s+yes\\s+\\{-1, 0, 1\\}\\s+1\\.58 = log2\\(3\\)\\s+"
                        + "mse/tensor\\s+.*" + source)
                .containsPattern("\n  my-clipped\\s+clipped straight-through: .*" + source)
                .containsPattern("\n  my-int4\\s+my-int4\\s+4\\s+4-bit activations .*" + source)
                .contains(jar + ": quantizer sr-ternary, gradient estimator my-clipped, activation quantizer"
                        + " my-int4\n");

        // (a) The uninterrupted run.
        Path uninterrupted = dir.resolve("a");
        CliTest.Result first = lowbit(train(plugins, uninterrupted));
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path reference = onlyRun(uninterrupted);
        JsonNode referenceRecord =
                json.readTree(reference.resolve(StoreLayout.RUN_FILE).toFile());
        assertThat(referenceRecord.get("status").asText()).isEqualTo("FINISHED");
        assertThat(referenceRecord.get("config").get("quantizer").asText())
                .isEqualTo("sr-ternary@mse/tensor~my-clipped");
        assertThat(referenceRecord.get("config").get("activations").asText()).isEqualTo("my-int4");
        assertThat(referenceRecord.get("quantizer").get("estimator").asText()).isEqualTo("my-clipped");
        assertThat(referenceRecord
                        .get("quantizer")
                        .get("activations")
                        .get("bits")
                        .asDouble())
                .isEqualTo(4.0);

        // (b) The same run in a child JVM, killed with SIGKILL once its first checkpoint is on disk, then resumed.
        Path interrupted = dir.resolve("b");
        Process child = ChildLowbit.start(dir.resolve("child.log"), train(plugins, interrupted));
        Path killed = waitForCheckpoint(interrupted, child);
        child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no flush
        assertThat(killed.resolve(StoreLayout.RUN_FILE))
                .as("killed before the run finished")
                .doesNotExist();
        assertThat(Files.readAllLines(killed.resolve(StoreLayout.EPOCHS_FILE))).hasSizeBetween(1, 2);
        assertThat(killed.getFileName()).isEqualTo(reference.getFileName());

        CliTest.Result resumed = lowbit(train(plugins, interrupted));

        assertThat(resumed.exitCode()).as(resumed.err()).isZero();
        assertThat(resumed.err()).containsPattern("resumed after epoch [12] from its checkpoint");
        assertThat(epochs(killed))
                .as("every epoch's metrics, timing aside")
                .hasSize(3)
                .isEqualTo(epochs(reference));
        assertThat(withoutWallClock(
                        json.readTree(killed.resolve(StoreLayout.RUN_FILE).toFile())))
                .isEqualTo(withoutWallClock(referenceRecord));
        assertThat(killed.resolve(StoreLayout.PREDICTIONS_FILE))
                .hasSameTextualContentAs(reference.resolve(StoreLayout.PREDICTIONS_FILE));
        assertThat(killed.resolve(StoreLayout.MODEL_FILE))
                .hasSameBinaryContentAs(reference.resolve(StoreLayout.MODEL_FILE));

        // (c) Export and evaluate twice: evaluation never draws, so it is the stored result every time.
        Path exported = dir.resolve("sr-ternary.lbw");
        CliTest.Result export = lowbit(
                "export",
                killed.getFileName().toString(),
                "--results",
                interrupted.toString(),
                "--plugins",
                plugins.toString(),
                "-o",
                exported.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        String stored = String.format(
                Locale.ROOT,
                "Test accuracy %.4f, loss %.4f on 10,000 images",
                referenceRecord.get("testAccuracy").asDouble(),
                referenceRecord.get("testLoss").asDouble());
        List<String> outputs = new ArrayList<>();
        for (String name : List.of("first", "second")) {
            Path predictions = dir.resolve(name + "-predictions.txt");
            CliTest.Result eval = lowbit(
                    "eval",
                    exported.toString(),
                    "--plugins",
                    plugins.toString(),
                    "--predictions",
                    predictions.toString());
            assertThat(eval.exitCode()).as(eval.err()).isZero();
            assertThat(eval.out()).contains(stored);
            assertThat(predictions).hasSameTextualContentAs(reference.resolve(StoreLayout.PREDICTIONS_FILE));
            outputs.add(eval.out().replace(predictions.toString(), "PREDICTIONS"));
        }
        assertThat(outputs.get(1)).isEqualTo(outputs.get(0));
    }

    /**
     * The section's files as a fresh project, with the int3 guide's pom under the section's artifact id, built
     * with {@code mvn package} against lowbit's deployed artifacts (found there alone): every contract test class
     * ran and passed.
     *
     * @return the jar
     */
    private Path buildTheReadmeProject() throws Exception {
        String readme = ReadmeMaven.readme();
        String section = ReadmeMaven.section(readme, HEADING);
        String int3Pom = ReadmeMaven.files(ReadmeMaven.section(readme, "## Write your own quantizer"))
                .get("pom.xml");
        assertThat(section)
                .contains("`<artifactId>int3-quantizer</artifactId>` to `" + ARTIFACT + "`")
                .contains(PACKAGE + "    ");
        Map<String, String> files = ReadmeMaven.files(section);
        String main = "src/main/java/org/example/schemes/";
        String test = "src/test/java/org/example/schemes/";
        String services = "src/main/resources/META-INF/services/dev.lowbit.api.spi.";
        assertThat(files)
                .containsOnlyKeys(
                        main + "StochasticTernaryQuantizer.java",
                        main + "ClippedEstimator.java",
                        main + "Int4ActivationQuantizer.java",
                        services + "Quantizer",
                        services + "GradientEstimator",
                        services + "ActivationQuantizer",
                        test + "StochasticTernaryQuantizerTest.java",
                        test + "ClippedEstimatorTest.java",
                        test + "Int4ActivationQuantizerTest.java");
        files.put("pom.xml", int3Pom.replace("<artifactId>int3-quantizer</artifactId>", ARTIFACT));

        Path project = ReadmeMaven.writeProject(dir.resolve("training-schemes"), files);
        ReadmeMaven.Repository lowbit = ReadmeMaven.deployed();
        ReadmeMaven.maven(project, lowbit, PACKAGE, dir.resolve("package.log"));
        ReadmeMaven.assertLowbitCameFromTheDeployedRepository(lowbit);
        // At least the kit's tests of each kind (those it generates per shape and configuration count once here).
        Map<String, Integer> least = Map.of(
                "StochasticTernaryQuantizerTest", 20, "ClippedEstimatorTest", 5, "Int4ActivationQuantizerTest", 8);
        for (Map.Entry<String, Integer> testClass : least.entrySet()) {
            String report = Files.readString(
                    project.resolve("target/surefire-reports/TEST-org.example.schemes." + testClass.getKey() + ".xml"));
            assertThat(attribute(report, "tests"))
                    .as("contract tests run by %s", testClass.getKey())
                    .isGreaterThanOrEqualTo(testClass.getValue());
            assertThat(attribute(report, "failures") + attribute(report, "errors"))
                    .as(testClass.getKey())
                    .isZero();
        }
        Path built = project.resolve("target/training-schemes-1.0.jar");
        assertThat(built).isRegularFile();
        return built;
    }

    private static String[] train(Path plugins, Path out) {
        List<String> args = new ArrayList<>(List.of(TRAIN));
        args.addAll(List.of("--plugins", plugins.toString(), "--out", out.toString()));
        return args.toArray(String[]::new);
    }

    /** The one run folder under {@code out}. */
    private static Path onlyRun(Path out) throws Exception {
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            List<Path> found = runs.filter(p -> Files.exists(p.resolve(StoreLayout.CONFIG_FILE)))
                    .toList();
            assertThat(found).hasSize(1);
            return found.get(0);
        }
    }

    /** Waits until the run under {@code out} has written its first checkpoint; returns the run's folder. */
    private Path waitForCheckpoint(Path out, Process child) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (Instant.now().isBefore(deadline)) {
            assertThat(child.isAlive())
                    .as("child ended early; see %s", dir.resolve("child.log"))
                    .isTrue();
            Path suite = out.resolve("quick");
            if (Files.isDirectory(suite)) {
                try (Stream<Path> runs = Files.list(suite)) {
                    for (Path run : runs.toList()) {
                        if (Files.exists(run.resolve(StoreLayout.CHECKPOINT_FILE))) {
                            return run;
                        }
                    }
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no checkpoint within 3 minutes; see " + dir.resolve("child.log"));
    }

    /** Every epoch's record without its wall-clock time. */
    private List<JsonNode> epochs(Path run) throws Exception {
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve(StoreLayout.EPOCHS_FILE))) {
            ObjectNode epoch = (ObjectNode) json.readTree(line);
            assertThat(epoch.remove("seconds")).as("an epoch's time").isNotNull();
            epochs.add(epoch);
        }
        return epochs;
    }

    private static JsonNode withoutWallClock(JsonNode record) {
        ObjectNode copy = record.deepCopy();
        copy.remove(WALL_CLOCK);
        return copy;
    }
}
