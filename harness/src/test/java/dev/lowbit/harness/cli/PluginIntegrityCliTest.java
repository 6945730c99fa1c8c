package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.plugin.OutsiderPlugins;
import dev.lowbit.harness.train.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's cases through the real CLI, with plugin jars built at test time and the real Fashion-MNIST:
 * the plugin's own class trains, exports and evaluates; its own scale rule runs; a plugin scale rule
 * serves any alphabet; plugin code that fails fails its run only; a rebuilt jar is never reported
 * with the old jar's numbers.
 */
@Tag("training")
class PluginIntegrityCliTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void aSubclassThatOverridesHowItSnapsTrainsItsOwnWayAndItsPackedModelReproducesItsAccuracy() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = OutsiderPlugins.deadZone(plugins, 0.9);
        Path out = dir.resolve("results");

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "ternary,deadzone,deadzone@absmean",
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Path> runs = runsBySpec(out.resolve("quick"));
        assertThat(runs).containsOnlyKeys("ternary@mse/tensor", "deadzone@mse/tensor", "deadzone@absmean/tensor");
        // Same alphabet, same rule, same seed: only the subclass's snapping differs, and it shows.
        assertThat(trainLosses(runs.get("deadzone@mse/tensor")))
                .isNotEqualTo(trainLosses(runs.get("ternary@mse/tensor")));
        assertThat(trainLosses(runs.get("deadzone@absmean/tensor")))
                .isNotEqualTo(trainLosses(runs.get("deadzone@mse/tensor")));
        for (String spec : List.of("deadzone@mse/tensor", "deadzone@absmean/tensor")) {
            JsonNode record = runJson(runs.get(spec));
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("provenance").get("code.quantizer.sha256").asText())
                    .isEqualTo(Provenance.sha256(jar));
            assertEvalReproduces(runs.get(spec), out, plugins);
        }
    }

    @Test
    void specsThatShareAnIdTrainAndReportWithEachSpecNamedOnceInEveryLegend() throws Exception {
        Path out = dir.resolve("results");

        CliTest.Result run = lowbit(
                "run",
                "--arch",
                "fcnn-small,cnn-small",
                "--quantizer",
                "ternary,ternary@absmax,k17@absmean,k17@mse,fp32",
                "--epochs",
                "1",
                "--train-limit",
                "500",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(runFolders(out.resolve("quick"))).hasSize(10);
        Path page = out.resolve("quick").resolve("report").resolve("index.html");
        Document report = Jsoup.parse(page.toFile());
        List<Element> curves = report.select("figure[id^=curve-] svg");
        assertThat(curves).hasSize(2);
        for (Element curve : curves) {
            assertThat(curve.select("text").eachText())
                    .filteredOn(text -> text.endsWith(" seeds)"))
                    .containsExactlyInAnyOrder(
                            "ternary@mse/tensor W1.58 (1 seeds)",
                            "ternary@absmax/tensor W1.58 (1 seeds)",
                            "k17@absmean/tensor W4.09 (1 seeds)",
                            "k17@mse/tensor W4.09 (1 seeds)",
                            "fp32 W32 (1 seeds)");
        }
        assertThat(report.select("table#groups tbody td.quantizer").eachText())
                .containsExactlyInAnyOrder(
                        "fp32",
                        "k17@absmean/tensor",
                        "k17@mse/tensor",
                        "ternary@absmax/tensor",
                        "ternary@mse/tensor",
                        "fp32",
                        "k17@absmean/tensor",
                        "k17@mse/tensor",
                        "ternary@absmax/tensor",
                        "ternary@mse/tensor");
    }

    @Test
    void everyBuiltInRulePerChannelTrainsEveryLayerKindAndItsPackedModelReproducesItsAccuracy() throws Exception {
        Path out = dir.resolve("results");
        List<String> specs = List.of(
                "ternary@absmean/channel",
                "ternary@absmax/channel",
                "k9@gauss/channel",
                "quinary@mse/channel",
                "ternary@learned/channel");

        CliTest.Result run = lowbit(
                "run",
                "--arch",
                "fcnn-small,cnn-small,vit-small",
                "--quantizer",
                String.join(",", specs),
                "--epochs",
                "1",
                "--train-limit",
                "300",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err() + run.out()).isZero();
        List<Path> runs = runFolders(out.resolve("quick"));
        assertThat(runs).hasSize(15);
        for (Path folder : runs) {
            JsonNode record = runJson(folder);
            assertThat(record.get("status").asText()).as(folder.toString()).isEqualTo("FINISHED");
            assertEvalReproduces(folder, out, null);
        }
    }

    @Test
    void aPluginScaleRuleServesAnyAlphabetPerTensorAndPerChannel() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = OutsiderPlugins.scaleRule(plugins);
        Path out = dir.resolve("results");

        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .containsPattern("\n  myrule +s = 1\\.5 rms\\(W\\) +" + java.util.regex.Pattern.quote(jar.toString()));

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--arch",
                "cnn-small",
                "--quantizer",
                "k9@myrule,ternary@myrule/channel",
                "--epochs",
                "1",
                "--train-limit",
                "500",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Path> runs = runsBySpec(out.resolve("quick"));
        assertThat(runs).containsOnlyKeys("k9@myrule/tensor", "ternary@myrule/channel");
        for (Path folder : runs.values()) {
            JsonNode record = runJson(folder);
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("provenance").get("code.quantizer.sha256").asText())
                    .isEqualTo(Provenance.sha256(jar));
            assertEvalReproduces(folder, out, plugins);
        }
        String report = Files.readString(out.resolve("quick").resolve("report").resolve("index.html"));
        assertThat(report).contains("k9@myrule/tensor", "ternary@myrule/channel");
    }

    @Test
    void aQuantizerImplementingTheInterfaceWithItsOwnRuleRuns() throws Exception {
        Path plugins = dir.resolve("plugins");
        OutsiderPlugins.ownRule(plugins);
        Path out = dir.resolve("results");

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "signs",
                "--epochs",
                "1",
                "--train-limit",
                "500",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Path> runs = runsBySpec(out.resolve("quick"));
        assertThat(runs).containsOnlyKeys("signs@halfmax/tensor");
        assertThat(runJson(runs.get("signs@halfmax/tensor")).get("status").asText())
                .isEqualTo("FINISHED");
        assertEvalReproduces(runs.get("signs@halfmax/tensor"), out, plugins);
        CliTest.Result same = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "signs@halfmax",
                "--epochs",
                "1",
                "--train-limit",
                "500",
                "--out",
                out.toString());
        assertThat(same.out())
                .as("its own rule, written out, is the same run")
                .contains("Trained 0, skipped 1 finished");
        CliTest.Result other = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "signs@mse",
                "--epochs",
                "1",
                "--train-limit",
                "500",
                "--out",
                out.toString());
        assertThat(other.exitCode()).isEqualTo(2);
        assertThat(other.err())
                .isEqualTo("lowbit: Invalid quantizer 'signs@mse': Quantizer 'signs' has its own scale rule"
                        + " 'halfmax/tensor' and takes no other (asked for 'mse/tensor'). Write ID@RULE or ID@RULE/GRANULARITY,"
                        + " e.g. ternary@absmean or k17@mse/channel.\n");
    }

    @Test
    void pluginCodeFindsItsOwnServicesAndResourcesThroughTheContextClassLoaderWhileItTrains() throws Exception {
        Path plugins = dir.resolve("plugins");
        OutsiderPlugins.usesTheContextClassLoader(plugins);
        Path out = dir.resolve("results");
        ClassLoader before = Thread.currentThread().getContextClassLoader();

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                "ctx",
                "--epochs",
                "1",
                "--train-limit",
                "300",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(runJson(runsBySpec(out.resolve("quick")).get("ctx@mse/tensor"))
                        .get("status")
                        .asText())
                .isEqualTo("FINISHED");
        assertThat(Thread.currentThread().getContextClassLoader())
                .as("restored after the run")
                .isSameAs(before);
    }

    @Test
    void pluginCodeThatFailsInTrainingFailsItsRunOnlyAndOnlyThatRunIsRetried() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path future = OutsiderPlugins.callsAMissingApiMethod(plugins);
        Path substitute = OutsiderPlugins.substitutingWithScaleRule(plugins);
        Path out = dir.resolve("results");
        assertThat(lowbit("list", "--strict", "--plugins", plugins.toString()).exitCode())
                .isZero();
        String[] arguments = {
            "run",
            "--plugins",
            plugins.toString(),
            "--quantizer",
            "future,substitute@absmax,ternary",
            "--epochs",
            "1",
            "--train-limit",
            "500",
            "--out",
            out.toString()
        };

        CliTest.Result run = lowbit(arguments);

        assertThat(run.exitCode()).as(run.err()).isEqualTo(1);
        Map<String, Path> runs = runsBySpec(out.resolve("quick"));
        assertThat(runs).containsOnlyKeys("future@mse/tensor", "substitute@absmax/tensor", "ternary@mse/tensor");
        assertThat(runJson(runs.get("ternary@mse/tensor")).get("status").asText())
                .isEqualTo("FINISHED");
        JsonNode failed = runJson(runs.get("future@mse/tensor"));
        assertThat(failed.get("status").asText()).isEqualTo("FAILED");
        assertThat(failed.get("error").asText())
                .startsWith("The quantizer 'future@mse/tensor' failed in ")
                .contains("on tensor '", "NoSuchMethodError", "spread()", future.toString());
        try (java.nio.channels.FileChannel lock = java.nio.channels.FileChannel.open(
                runs.get("future@mse/tensor").resolve("run.lock"), java.nio.file.StandardOpenOption.WRITE)) {
            assertThat(lock.tryLock()).as("the failed run's lock is released").isNotNull();
        }
        JsonNode substituted = runJson(runs.get("substitute@absmax/tensor"));
        assertThat(substituted.get("status").asText()).isEqualTo("FAILED");
        assertThat(substituted.get("error").asText())
                .startsWith("Quantizer 'substitute@absmax/tensor' from " + substitute)
                .contains("breaks the withScaleRule contract: asked for 'absmax/tensor', it returned a"
                        + " dev.lowbit.api.AlphabetQuantizer with spec 'substitute@absmax/tensor' instead of a"
                        + " org.example.substitute.SubstituteQuantizer");
        assertThat(out.resolve("quick").resolve("report").resolve("index.html")).isRegularFile();
        assertThat(run.out()).contains("Trained 1, skipped 0 finished, 0 held by other workers, 0 diverged, 2 failed.");

        CliTest.Result again = lowbit(arguments);

        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.out())
                .contains("Trained 0, skipped 1 finished, 0 held by other workers, 0 diverged, 2 failed.");
    }

    @Test
    void aRebuiltPluginJarIsTrainedAgainNotReportedWithTheOldJarsNumbers() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path out = dir.resolve("results");
        String[] arguments = {
            "run",
            "--plugins",
            plugins.toString(),
            "--quantizer",
            "deadzone",
            "--epochs",
            "1",
            "--train-limit",
            "500",
            "--out",
            out.toString()
        };
        OutsiderPlugins.deadZone(plugins, 0.5);
        assertThat(lowbit(arguments).exitCode()).isZero();
        Path folder = runsBySpec(out.resolve("quick")).get("deadzone@mse/tensor");
        List<Double> before = trainLosses(folder);
        String oldHash =
                runJson(folder).get("provenance").get("code.quantizer.sha256").asText();

        Path rebuilt = OutsiderPlugins.deadZone(plugins, 1.2);
        CliTest.Result rerun = lowbit(arguments);

        assertThat(rerun.exitCode()).as(rerun.err()).isZero();
        assertThat(rerun.err())
                .contains("retrain " + folder.getFileName() + ": its plugin code changed since it was trained"
                        + " (quantizer " + oldHash.substring(0, 12) + " -> "
                        + Provenance.sha256(rebuilt).substring(0, 12) + ")");
        assertThat(rerun.out()).contains("Trained 1, skipped 0 finished");
        JsonNode record = runJson(folder);
        assertThat(record.get("provenance").get("code.quantizer.sha256").asText())
                .isEqualTo(Provenance.sha256(rebuilt));
        assertThat(trainLosses(folder)).hasSize(1).isNotEqualTo(before);

        CliTest.Result unchanged = lowbit(arguments);
        assertThat(unchanged.out()).contains("Trained 0, skipped 1 finished");
    }

    private void assertEvalReproduces(Path run, Path results, Path plugins) throws Exception {
        Path exported = dir.resolve(run.getFileName() + ".lbw");
        List<String> export = new ArrayList<>(List.of(
                "export", run.getFileName().toString(), "--results", results.toString(), "-o", exported.toString()));
        Path predictions = dir.resolve(run.getFileName() + "-predictions.txt");
        List<String> eval =
                new ArrayList<>(List.of("eval", exported.toString(), "--predictions", predictions.toString()));
        if (plugins != null) {
            export.addAll(List.of("--plugins", plugins.toString()));
            eval.addAll(List.of("--plugins", plugins.toString()));
        }
        CliTest.Result exportResult = lowbit(export.toArray(String[]::new));
        assertThat(exportResult.exitCode()).as(exportResult.err()).isZero();
        CliTest.Result evalResult = lowbit(eval.toArray(String[]::new));
        assertThat(evalResult.exitCode()).as(evalResult.err()).isZero();
        double stored = runJson(run).get("testAccuracy").asDouble();
        assertThat(evalResult.out())
                .as(run.toString())
                .contains(String.format(Locale.ROOT, "Test accuracy %.4f", stored));
        // Exactly: every one of the 10,000 test predictions of the reloaded model is the trained model's.
        assertThat(Files.readAllLines(predictions))
                .as(run.toString())
                .hasSize(10_000)
                .isEqualTo(Files.readAllLines(run.resolve("test-predictions.txt")));
    }

    private JsonNode runJson(Path run) throws Exception {
        return json.readTree(run.resolve("run.json").toFile());
    }

    private List<Double> trainLosses(Path run) throws Exception {
        List<Double> losses = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("epochs.jsonl"))) {
            losses.add(json.readTree(line).get("trainLoss").asDouble());
        }
        return losses;
    }

    private Map<String, Path> runsBySpec(Path suite) throws Exception {
        Map<String, Path> bySpec = new LinkedHashMap<>();
        for (Path run : runFolders(suite)) {
            bySpec.put(runJson(run).get("config").get("quantizer").asText(), run);
        }
        bySpec.remove("fp32");
        return bySpec;
    }

    private static List<Path> runFolders(Path suite) throws Exception {
        try (Stream<Path> children = Files.list(suite)) {
            return children.filter(p -> Files.exists(p.resolve("run.json")))
                    .sorted()
                    .toList();
        }
    }
}
