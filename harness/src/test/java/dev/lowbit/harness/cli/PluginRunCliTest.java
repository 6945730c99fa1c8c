package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.plugin.ExamplePlugin;
import dev.lowbit.harness.plugin.JacksonPlugin;
import dev.lowbit.harness.train.Provenance;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
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
 * Plugins that really train, on the real Fashion-MNIST: plugins-example's jar copied into a plugins
 * folder (pow2 on lenet-5 beside its fp32 twin), and a plugin bundling an older Jackson than lowbit's.
 */
@Tag("training")
class PluginRunCliTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void theExamplePluginsQuantizerAndArchitectureTrainAndAreRecordedInRunJsonAndTheReport() throws Exception {
        Path plugins = dir.resolve("plugins");
        Path jar = ExamplePlugin.copyInto(plugins);
        Path out = dir.resolve("results");

        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .containsPattern("\n  pow2 .*" + java.util.regex.Pattern.quote(jar.toString()))
                .containsPattern("\n  lenet-5 .*" + java.util.regex.Pattern.quote(jar.toString()));

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--arch",
                "lenet-5",
                "--quantizer",
                "fp32,pow2",
                "--epochs",
                "1",
                "--train-limit",
                "2000",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, JsonNode> byQuantizer = new HashMap<>();
        for (Path runDirectory : runs(out.resolve("quick"))) {
            JsonNode record = json.readTree(runDirectory.resolve("run.json").toFile());
            byQuantizer.put(record.get("quantizer").get("id").asText(), record);
            assertThat(record.get("status").asText()).isEqualTo("FINISHED");
            assertThat(record.get("config").get("architecture").asText()).isEqualTo("lenet-5");
            assertThat(record.get("memory").get("parameters").asLong()).isEqualTo(61_706);
            assertThat(record.get("testAccuracy").asDouble())
                    .as("%s after 1 epoch on 2,000 images", runDirectory)
                    .isGreaterThan(0.4);
            JsonNode provenance = record.get("provenance");
            assertThat(fieldNames(provenance).filter(key -> key.startsWith("plugin.jar.")))
                    .containsExactly("plugin.jar." + jar);
            assertThat(provenance.get("plugin.jar." + jar).asText()).isEqualTo(Provenance.sha256(jar));
        }
        assertThat(byQuantizer).containsOnlyKeys("fp32", "pow2");
        JsonNode pow2 = byQuantizer.get("pow2");
        assertThat(pow2.get("config").get("quantizer").asText()).isEqualTo("pow2@mse/tensor");
        assertThat(pow2.get("quantizer").get("levels").asInt()).isEqualTo(7);
        assertThat(json.convertValue(pow2.get("quantizer").get("values"), double[].class))
                .containsExactly(-4, -2, -1, 0, 1, 2, 4);
        // The packed codes of the 61,470 quantized weights: radix-7 groups, close to log2 7 = 2.81 bits each.
        JsonNode memory = pow2.get("memory");
        assertThat(memory.get("quantizedWeights").asLong()).isEqualTo(61_470);
        assertThat(8.0
                        * memory.get("packedWeightBytes").asLong()
                        / memory.get("quantizedWeights").asLong())
                .isBetween(2.80, 2.87);

        Document report = Jsoup.parse(
                out.resolve("quick").resolve("report").resolve("index.html").toFile());
        List<String> rows = report.select("table#runs tbody tr").stream()
                .map(row -> row.selectFirst("td.architecture").text() + " "
                        + row.selectFirst("td.quantizer").text())
                .toList();
        assertThat(rows).containsExactlyInAnyOrder("lenet-5 fp32", "lenet-5 pow2@mse/tensor");
        Element pluginJar = report.selectFirst("table#plugin-jars tbody tr");
        assertThat(pluginJar).isNotNull();
        assertThat(pluginJar.select("td").eachText()).containsExactly(jar.toString(), Provenance.sha256(jar), "all 2");

        // The packed model reloads through the same plugin, to the trained model's accuracy.
        Path model = runs(out.resolve("quick")).stream()
                .filter(p -> p.getFileName().toString().contains(".pow2."))
                .findFirst()
                .orElseThrow()
                .resolve("model.lbw");
        CliTest.Result eval = lowbit("eval", model.toString(), "--plugins", plugins.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(eval.out())
                .contains(String.format(
                        Locale.ROOT,
                        "Test accuracy %.4f",
                        pow2.get("testAccuracy").asDouble()));
        CliTest.Result withoutPlugin = lowbit(
                "eval",
                model.toString(),
                "--plugins",
                Files.createDirectories(dir.resolve("no-plugins")).toString());
        assertThat(withoutPlugin.exitCode()).isEqualTo(2);
        assertThat(withoutPlugin.err())
                .startsWith("lowbit: Packed model '" + model + "'")
                .contains("No architecture with id 'lenet-5'")
                .contains("Put its jar in plugins/");
        // The packed engine runs lowbit's own families only: a plugin's architecture is DJL's to run.
        CliTest.Result packed = lowbit("eval", model.toString(), "--plugins", plugins.toString(), "--engine", "packed");
        assertThat(packed.exitCode()).isEqualTo(2);
        assertThat(packed.err())
                .isEqualTo("lowbit: Architecture 'lenet-5' is not one the packed engine knows (it runs the fcnn, cnn"
                        + " and vit families); evaluate it with --engine djl." + System.lineSeparator());
    }

    @Test
    void aPluginBundlingAnOlderJacksonTrainsAndLowbitWritesItsResultsWithItsOwn() throws Exception {
        Path plugins = dir.resolve("plugins");
        List<Path> jars = JacksonPlugin.buildInto(plugins);
        Path out = dir.resolve("results");

        CliTest.Result list = lowbit("list", "--plugins", plugins.toString());
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.out())
                .contains("Plugins in " + plugins + "\n  " + plugins.resolve("json-levels")
                        + " (4 jars): quantizer json5");

        CliTest.Result run = lowbit(
                "run",
                "--plugins",
                plugins.toString(),
                "--quantizer",
                JacksonPlugin.QUANTIZER,
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--out",
                out.toString());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.err()).doesNotContain("warning");
        List<Path> finished = runs(out.resolve("quick"));
        assertThat(finished).hasSize(1);
        JsonNode record = json.readTree(finished.get(0).resolve("run.json").toFile());
        assertThat(record.get("status").asText()).isEqualTo("FINISHED");
        assertThat(record.get("quantizer").get("id").asText()).isEqualTo(JacksonPlugin.QUANTIZER);
        assertThat(json.convertValue(record.get("quantizer").get("values"), double[].class))
                .containsExactly(-3, -1, 0, 1, 3);
        JsonNode provenance = record.get("provenance");
        // The plugin's jar and the libraries it bundles: everything the run depended on from outside lowbit.
        assertThat(fieldNames(provenance).filter(key -> key.startsWith("plugin.jar.")))
                .containsExactlyInAnyOrderElementsOf(
                        jars.stream().map(j -> "plugin.jar." + j).toList());
        for (Path jar : jars) {
            assertThat(provenance.get("plugin.jar." + jar).asText()).isEqualTo(Provenance.sha256(jar));
        }
    }

    private static List<Path> runs(Path suite) throws Exception {
        try (Stream<Path> children = Files.list(suite)) {
            return children.filter(p -> Files.exists(p.resolve("run.json")))
                    .sorted()
                    .toList();
        }
    }

    private static Stream<String> fieldNames(JsonNode node) {
        Stream.Builder<String> names = Stream.builder();
        node.fieldNames().forEachRemaining(names::add);
        return names.build();
    }
}
