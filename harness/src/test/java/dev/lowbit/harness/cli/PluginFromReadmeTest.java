package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static dev.lowbit.harness.cli.ReadmeMaven.INSTALL;
import static dev.lowbit.harness.cli.ReadmeMaven.PACKAGE;
import static dev.lowbit.harness.cli.ReadmeMaven.attribute;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.train.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write your own quantizer", followed to the letter: its files (taken from the README itself,
 * up to the next subsection) make a fresh project, {@code mvn package} runs the contract tests and builds
 * the jar against lowbit's BOM, api and contract kit as deployed to a file repository (what step 1 installs),
 * found there alone, and lowbit lists and trains the quantizer from a plugins folder. The nested Maven builds
 * are {@link ReadmeMaven}'s, lowbit deployed once for every README guide's test.
 */
@Tag("training")
class PluginFromReadmeTest {

    @TempDir
    Path dir;

    @Test
    void aQuantizerWrittenFromTheReadmeInAFreshProjectBuildsAgainstTheDeployedArtifactsAndTrains() throws Exception {
        String section = ReadmeMaven.section(ReadmeMaven.readme(), "## Write your own quantizer");
        assertThat(section).contains(INSTALL).contains(PACKAGE + "    ");
        Map<String, String> files = ReadmeMaven.files(section);
        assertThat(files)
                .containsOnlyKeys(
                        "pom.xml",
                        "src/main/java/org/example/int3/Int3Quantizer.java",
                        "src/main/resources/META-INF/services/dev.lowbit.api.spi.Quantizer",
                        "src/test/java/org/example/int3/Int3QuantizerTest.java");
        ReadmeMaven.Repository lowbit = ReadmeMaven.deployed();

        Path project = ReadmeMaven.writeProject(dir.resolve("int3-quantizer"), files);
        ReadmeMaven.maven(project, lowbit, PACKAGE, dir.resolve("package.log"));
        ReadmeMaven.assertLowbitCameFromTheDeployedRepository(lowbit);
        String report = Files.readString(
                project.resolve("target/surefire-reports/TEST-org.example.int3.Int3QuantizerTest.xml"));
        assertThat(attribute(report, "tests")).as("contract tests run").isGreaterThanOrEqualTo(10);
        assertThat(attribute(report, "failures") + attribute(report, "errors")).isZero();
        Path built = project.resolve("target/int3-quantizer-1.0.jar");
        assertThat(built).isRegularFile();

        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = Files.copy(built, plugins.resolve(built.getFileName())).toAbsolutePath();
        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .containsPattern("\n  int3\\s+8\\s+yes\\s+\\{-4\\.\\.3\\}\\s+3\\.00 = log2\\(8\\)\\s+mse/tensor\\s+"
                        + Pattern.quote("8 levels {-4..3}: signed 3-bit integers") + "\\s+"
                        + Pattern.quote(jar + " (version 1.0)")
                        + "\n");

        Path out = dir.resolve("results");
        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "int3",
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--out",
                out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            Path runFile = runs.map(p -> p.resolve("run.json"))
                    .filter(Files::exists)
                    .findFirst()
                    .orElseThrow();
            JsonNode record = new ObjectMapper().readTree(runFile.toFile());
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("config").get("quantizer").asText()).isEqualTo("int3@mse/tensor");
            assertThat(record.get("quantizer").get("levels").asInt()).isEqualTo(8);
            assertThat(record.get("provenance").get("plugin.jar." + jar).asText())
                    .isEqualTo(Provenance.sha256(jar));
        }
    }
}
