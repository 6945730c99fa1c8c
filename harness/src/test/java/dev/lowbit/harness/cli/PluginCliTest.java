package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.plugin.BrokenPlugins;
import dev.lowbit.harness.plugin.ExamplePlugin;
import dev.lowbit.harness.plugin.OutsidePluginJar;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --plugins} and {@code --strict} as a user meets them, with real jars in a real plugins folder:
 * where each quantizer and architecture came from, failures as data, ids provided twice, bad folders.
 */
class PluginCliTest {

    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path plugins;
    private Path example;

    @BeforeEach
    void examplePlugin() throws Exception {
        plugins = dir.resolve("plugins");
        example = ExamplePlugin.copyInto(plugins);
    }

    private String exampleSource() {
        return example + " (version " + ExamplePlugin.version() + ")";
    }

    @Test
    void listShowsWhereEachQuantizerAndArchitectureCameFromAndEveryFailureAndExitsZero() throws Exception {
        Path outside = OutsidePluginJar.build(plugins);
        Path notAJar = BrokenPlugins.notAJar(plugins);
        Path throwing = BrokenPlugins.throwingConstructor(plugins);
        Path oldApi = BrokenPlugins.olderApi(plugins);
        Path again = BrokenPlugins.duplicateOfTernary(plugins);

        CliTest.Result result = lowbit("list", "--plugins", plugins.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).isEmpty();
        assertThat(result.out())
                .containsPattern(
                        "\n  pow2\\s+7\\s+yes\\s+\\{-4, -2, -1, 0, 1, 2, 4\\}\\s+2\\.81 = log2\\(7\\)\\s+mse/tensor\\s+7 levels .*"
                                + java.util.regex.Pattern.quote(exampleSource()) + "\n")
                .containsPattern("\n  lenet-5\\s+61,706\\s+61,470\\s+99\\.62%\\s+LeNet-5: .*"
                        + java.util.regex.Pattern.quote(exampleSource()) + "\n")
                .containsPattern("\n  ternary\\s+3\\s+yes\\s+.*built-in \\(lowbit-quantizers\\)\n")
                .containsPattern("\n  fcnn-small\\s+.*built-in \\(lowbit-architectures\\)\n")
                .containsPattern("\n  outside:\\.\\.\\.\\s+a test plugin from outside lowbit  "
                        + java.util.regex.Pattern.quote(outside.toString()) + "\n");
        assertThat(result.out()
                        .lines()
                        .dropWhile(line -> !line.startsWith("Plugins in "))
                        .toList())
                .containsExactly(
                        "Plugins in " + plugins,
                        "  " + example + ": quantizer pow2, architecture lenet-5",
                        "  " + outside + ": quantizer factory outside",
                        "",
                        "Plugin failures (left out; the rest loaded; --strict makes these errors)",
                        "  Plugin '" + notAJar
                                + "' is not a jar (zip END header not found). Replace it with the jar 'mvn package'"
                                + " built, or remove it.",
                        "  Plugin '" + oldApi
                                + "' was compiled against an incompatible lowbit api: org.example.old.OldQuantizer"
                                + " does not implement Quantizer's alphabet(), codes(NDArray, NDArray), scale(NDArray), scaleRule(),"
                                + " values(NDArray). Rebuild it against the lowbit-api of this lowbit.",
                        "  Quantizer id 'ternary' is provided twice: built-in (lowbit-quantizers) and " + again
                                + ". Remove one, or" + " change the plugin's id.",
                        "  Plugin '" + throwing + "': org.example.throwing.ThrowingQuantizer threw in its constructor:"
                                + " java.lang.IllegalStateException: no licence key in ~/.throwing. Fix the constructor (a provider"
                                + " should only be cheap to create) or remove the plugin.");
    }

    @Test
    void strictMakesAnyPluginFailureAnErrorWithOneLineEach() throws Exception {
        Path notAJar = BrokenPlugins.notAJar(plugins);
        Path missing = BrokenPlugins.missingProvider(plugins);

        CliTest.Result result = lowbit("list", "--plugins", plugins.toString(), "--strict");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.out()).isEmpty();
        assertThat(result.err())
                .isEqualTo("lowbit: Plugin '" + notAJar + "' is not a jar (zip END header not found)."
                        + " Replace it with the jar 'mvn package' built, or remove it." + NL
                        + "lowbit: Plugin '" + missing + "': META-INF/services/dev.lowbit.api.spi.Quantizer names"
                        + " org.example.missing.GoneQuantizer, which is not in the plugin. Add the class to the jar or remove its"
                        + " line." + NL);
    }

    @Test
    void aBrokenPluginIsAWarningForPlanWhichUsesTheOthersAndAnErrorWithStrict() throws Exception {
        Path notAJar = BrokenPlugins.notAJar(plugins);
        String failure = "Plugin '" + notAJar + "' is not a jar (zip END header not found). Replace it with the jar"
                + " 'mvn package' built, or remove it.";
        String[] plan = {
            "plan",
            "--plugins",
            plugins.toString(),
            "--arch",
            "lenet-5",
            "--quantizer",
            "fp32,pow2",
            "--out",
            dir.resolve("results").toString()
        };

        CliTest.Result lenient = lowbit(plan);

        assertThat(lenient.exitCode()).as(lenient.err()).isZero();
        assertThat(lenient.err())
                .isEqualTo("lowbit: warning: " + failure + " Going on without it (--strict makes this an error)." + NL);
        assertThat(lenient.out())
                .containsPattern("lenet-5\\.pow2\\.s1\\.[0-9a-f]{8}\\s+lenet-5\\s+pow2@mse/tensor")
                .containsPattern("lenet-5\\.fp32\\.s1\\.[0-9a-f]{8}\\s+lenet-5\\s+fp32");

        String[] strictPlan = java.util.stream.Stream.concat(
                        java.util.Arrays.stream(plan), java.util.stream.Stream.of("--strict"))
                .toArray(String[]::new);
        CliTest.Result strict = lowbit(strictPlan);

        assertThat(strict.exitCode()).isEqualTo(2);
        assertThat(strict.err()).isEqualTo("lowbit: " + failure + NL);
        assertThat(strict.out()).isEmpty();
    }

    @Test
    void anIdProvidedTwiceStopsRunBeforeAnythingTrains() throws Exception {
        Path again = BrokenPlugins.duplicateOfTernary(plugins);
        Path results = dir.resolve("results");

        CliTest.Result result =
                lowbit("run", "--plugins", plugins.toString(), "--quantizer", "pow2", "--out", results.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Quantizer id 'ternary' is provided twice: built-in" + " (lowbit-quantizers) and "
                        + again + ". Remove one, or change the plugin's id." + NL);
        assertThat(results).doesNotExist();
    }

    @Test
    void twoPluginsWithTheSameIdNameBothJars() throws Exception {
        Path copy = ExamplePlugin.copyInto(plugins, "a-copy.jar");
        String copySource = copy + " (version " + ExamplePlugin.version() + ")";

        CliTest.Result result = lowbit("plan", "--plugins", plugins.toString(), "--arch", "lenet-5");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Quantizer id 'pow2' is provided twice: " + copySource + " and " + exampleSource()
                        + ". Remove one, or change the plugin's id." + NL
                        + "lowbit: Architecture id 'lenet-5' is provided twice: " + copySource + " and "
                        + exampleSource()
                        + ". Remove one, or change the plugin's id." + NL);
    }

    @Test
    void aMissingPluginsFolderIsOneLineAndExitsTwo() {
        Path nowhere = dir.resolve("no-such-folder");

        CliTest.Result result = lowbit("list", "--plugins", nowhere.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: No plugins folder '" + nowhere + "'. Create it and put plugin jars"
                        + " in it, or fix --plugins (without it lowbit reads ./plugins when that exists)." + NL);
    }

    @Test
    void aJarGivenAsThePluginsFolderIsOneLineNamingItsFolder() {
        CliTest.Result result = lowbit("run", "--plugins", example.toString(), "--quantizer", "pow2");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: --plugins takes a folder, but '" + example + "' is a file. Pass the"
                        + " folder that holds it, e.g. --plugins " + plugins + "." + NL);
    }

    @Test
    void withoutPluginsTheDefaultFolderIsOptionalAndListSaysWhereItLooked() {
        Path defaultFolder = Path.of("plugins").toAbsolutePath();
        assertThat(defaultFolder)
                .as("the test's working directory has no plugins folder")
                .doesNotExist();

        CliTest.Result result = lowbit("list");

        assertThat(result.exitCode()).isZero();
        assertThat(result.out())
                .endsWith("Plugins: none (no folder " + defaultFolder + "; put plugin jars there, or"
                        + " pass --plugins DIR)" + NL);
        assertThat(result.out()).doesNotContain("pow2").doesNotContain("Plugin failures");
        assertThat(Files.exists(defaultFolder)).isFalse();
    }
}
