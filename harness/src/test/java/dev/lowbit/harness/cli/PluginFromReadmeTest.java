package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.train.Provenance;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Write your own quantizer", followed to the letter: its install command puts the api in a
 * Maven repository, its files (taken from the README itself) make a fresh project, {@code mvn package}
 * runs the contract tests and builds the jar against the installed api, and lowbit lists and trains the
 * quantizer from a plugins folder.
 *
 * <p>The nested Maven builds use a repository of their own in a temporary folder, never the user's, and
 * read every artifact the outer build already has from its repository (a {@code file:} repository), so
 * they need no network beyond what a first build of lowbit already fetched (in CI, Maven Central may
 * supply the rest, e.g. maven-install-plugin, which {@code mvn verify} itself never uses).
 */
@Tag("training")
class PluginFromReadmeTest {

    /** The README's commands, run here word for word (without "mvn"). */
    private static final String INSTALL_API = "mvn -q install -DskipTests -pl api -am";
    private static final String PACKAGE = "mvn package";

    private static final Pattern CODE_BLOCK = Pattern.compile("```[a-z]*\\n(.*?)```", Pattern.DOTALL);
    /** A block that is a file starts with a comment naming it: {@code // file: PATH}, {@code # file: PATH}, {@code <!-- file: PATH -->}. */
    private static final Pattern FILE_NAME = Pattern.compile("^(?://|#|<!--) file: (\\S+)(?: -->)?\\n");

    @TempDir
    Path dir;

    @Test
    void aQuantizerWrittenFromTheReadmeInAFreshProjectBuildsAgainstTheInstalledApiAndTrains() throws Exception {
        Path checkout = Path.of("..").toAbsolutePath().normalize();
        String section = section(Files.readString(checkout.resolve("README.md")), "## Write your own quantizer");
        assertThat(section).contains(INSTALL_API).contains(PACKAGE + "    ");
        Map<String, String> files = files(section);
        assertThat(files).containsOnlyKeys("pom.xml", "src/main/java/org/example/int3/Int3Quantizer.java",
                "src/main/resources/META-INF/services/dev.lowbit.api.spi.Quantizer",
                "src/test/java/org/example/int3/Int3QuantizerTest.java");
        Path repository = dir.resolve("repository");
        Path settings = settings(dir.resolve("settings.xml"));

        // Step 1 in a copy of lowbit's poms and api sources: the checkout itself is in the middle of being built.
        Path lowbit = copyForApiInstall(checkout, dir.resolve("lowbit"));
        maven(lowbit, settings, repository, INSTALL_API, dir.resolve("install.log"));
        assertThat(repository.resolve("dev/lowbit/lowbit-api")).isDirectory();

        Path project = dir.resolve("int3-quantizer");
        for (Map.Entry<String, String> file : files.entrySet()) {
            Path target = project.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.getValue());
        }
        maven(project, settings, repository, PACKAGE, dir.resolve("package.log"));
        String report = Files.readString(project.resolve("target/surefire-reports/TEST-org.example.int3.Int3QuantizerTest.xml"));
        assertThat(attribute(report, "tests")).as("contract tests run").isGreaterThanOrEqualTo(10);
        assertThat(attribute(report, "failures") + attribute(report, "errors")).isZero();
        Path built = project.resolve("target/int3-quantizer-1.0.jar");
        assertThat(built).isRegularFile();

        Path plugins = Files.createDirectories(dir.resolve("plugins"));
        Path jar = Files.copy(built, plugins.resolve(built.getFileName())).toAbsolutePath();
        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out()).containsPattern("\n  int3\\s+8\\s+yes\\s+\\{-4\\.\\.3\\}\\s+3\\.00 = log2\\(8\\)\\s+mse/tensor\\s+"
                + Pattern.quote(jar + " (version 1.0)") + "\n");

        Path out = dir.resolve("results");
        CliTest.Result run = lowbit("run", "--plugins", plugins.toString(), "--quantizer", "int3", "--epochs", "1",
                "--train-limit", "1000", "--out", out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            Path runFile = runs.map(p -> p.resolve("run.json")).filter(Files::exists).findFirst().orElseThrow();
            JsonNode record = new ObjectMapper().readTree(runFile.toFile());
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("config").get("quantizer").asText()).isEqualTo("int3@mse/tensor");
            assertThat(record.get("quantizer").get("levels").asInt()).isEqualTo(8);
            assertThat(record.get("provenance").get("plugin.jar." + jar).asText()).isEqualTo(Provenance.sha256(jar));
        }
    }

    /** The text from {@code heading} to the next heading of the same level. */
    private static String section(String readme, String heading) {
        int start = readme.indexOf("\n" + heading + "\n");
        assertThat(start).as("README section '%s'", heading).isNotNegative();
        int end = readme.indexOf("\n## ", start + heading.length() + 2);
        return readme.substring(start, end < 0 ? readme.length() : end);
    }

    /** The section's code blocks that are files, by path; each keeps its naming comment, valid in every format. */
    private static Map<String, String> files(String section) {
        Map<String, String> files = new LinkedHashMap<>();
        Matcher block = CODE_BLOCK.matcher(section);
        while (block.find()) {
            Matcher name = FILE_NAME.matcher(block.group(1));
            if (name.find()) {
                files.put(name.group(1), block.group(1));
            }
        }
        return files;
    }

    /** Maven settings that read artifacts from the outer build's repository before going to Maven Central. */
    private static Path settings(Path file) throws IOException {
        String cache = System.getProperty("lowbit.maven.repository");
        assertThat(cache).as("system property lowbit.maven.repository (set in harness/pom.xml)").isNotNull();
        String url = Path.of(cache).toUri().toString();
        String repository = """
                <id>lowbit-build-cache</id><url>%s</url>
                <releases><enabled>true</enabled></releases><snapshots><enabled>false</enabled></snapshots>
                """.formatted(url);
        return Files.writeString(file, """
                <settings>
                  <profiles>
                    <profile>
                      <id>lowbit-build-cache</id>
                      <repositories><repository>%s</repository></repositories>
                      <pluginRepositories><pluginRepository>%s</pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                  <activeProfiles><activeProfile>lowbit-build-cache</activeProfile></activeProfiles>
                </settings>
                """.formatted(repository, repository));
    }

    /** Every module's pom (the reactor reads them all) and the api's sources: what installing the api needs. */
    private static Path copyForApiInstall(Path checkout, Path copy) throws IOException {
        Files.createDirectories(copy);
        String parent = Files.readString(checkout.resolve("pom.xml"));
        Files.writeString(copy.resolve("pom.xml"), parent);
        Matcher module = Pattern.compile("<module>([^<]+)</module>").matcher(parent);
        while (module.find()) {
            Path pom = copy.resolve(module.group(1)).resolve("pom.xml");
            Files.createDirectories(pom.getParent());
            Files.copy(checkout.resolve(module.group(1)).resolve("pom.xml"), pom);
        }
        Path sources = checkout.resolve("api/src");
        try (Stream<Path> tree = Files.walk(sources)) {
            for (Path from : tree.toList()) {
                Path to = copy.resolve("api/src").resolve(sources.relativize(from).toString());
                if (Files.isDirectory(from)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(from, to);
                }
            }
        }
        return copy;
    }

    /** Runs a README mvn command in {@code directory} with the test's settings and repository. */
    private static void maven(Path directory, Path settings, Path repository, String command, Path log) throws Exception {
        List<String> arguments = new ArrayList<>(List.of("mvn", "-B", "-Dstyle.color=never", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repository));
        List<String> words = Arrays.asList(command.split(" "));
        assertThat(words.get(0)).isEqualTo("mvn");
        arguments.addAll(words.subList(1, words.size()));
        Process maven = new ProcessBuilder(arguments).directory(directory.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        assertThat(maven.waitFor(15, TimeUnit.MINUTES)).as("'%s' finished within 15 minutes", command).isTrue();
        assertThat(maven.exitValue()).as("'%s' in %s:%n%s", command, directory, tail(log)).isZero();
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    }

    private static int attribute(String xml, String name) {
        Matcher value = Pattern.compile("<testsuite [^>]*\\b" + name + "=\"(\\d+)\"").matcher(xml);
        assertThat(value.find()).as("%s in the surefire report", name).isTrue();
        return Integer.parseInt(value.group(1));
    }
}
