package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.cli.CliTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.math3.distribution.TDistribution;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Every number of the report over real stored runs, recomputed here from run.json and epochs.jsonl
 * alone: the page may show nothing the files do not hold.
 */
@Tag("training")
class ReportCrossCheckTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static Document page;
    private static final Map<String, JsonNode> RUNS = new TreeMap<>();
    private static final Map<String, List<JsonNode>> EPOCHS = new TreeMap<>();

    @BeforeAll
    static void renderTheReportOverRealRuns() throws Exception {
        Path results = RealResults.directory();
        Path output = results.resolveSibling("cross-check-report").resolve("index.html");
        CliTest.Result report = lowbit("report", results.toString(), "-o", output.toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
        page = Jsoup.parse(Files.readString(output));
        try (Stream<Path> files = Files.walk(results)) {
            for (Path runJson : files.filter(p -> p.getFileName().toString().equals("run.json"))
                    .toList()) {
                JsonNode run = JSON.readTree(runJson.toFile());
                String id = run.get("runId").asText();
                RUNS.put(id, run);
                List<JsonNode> epochs = new ArrayList<>();
                for (String line : Files.readAllLines(runJson.resolveSibling("epochs.jsonl"))) {
                    if (!line.isBlank()) {
                        epochs.add(JSON.readTree(line));
                    }
                }
                EPOCHS.put(id, epochs);
            }
        }
    }

    @Test
    void theStudyHasTwoArchitecturesFourQuantizersAndTwoSeeds() {
        Set<String> architectures = new HashSet<>();
        Set<String> quantizers = new HashSet<>();
        Set<Long> seeds = new HashSet<>();
        for (JsonNode run : RUNS.values()) {
            architectures.add(run.get("config").get("architecture").asText());
            quantizers.add(run.get("config").get("quantizer").asText());
            seeds.add(run.get("config").get("seed").asLong());
        }
        assertThat(architectures).hasSizeGreaterThanOrEqualTo(2);
        assertThat(quantizers).hasSizeGreaterThanOrEqualTo(4);
        assertThat(seeds).hasSizeGreaterThanOrEqualTo(2);
        assertThat(page.getElementById("run-count").text()).isEqualTo(Integer.toString(RUNS.size()));
    }

    @Test
    void everyRunRowMatchesItsRunJsonAndEpochs() {
        List<Element> rows = page.select("table#runs tbody tr[data-run-id]");
        assertThat(rows).extracting(r -> r.attr("data-run-id")).containsExactlyInAnyOrderElementsOf(RUNS.keySet());
        for (Element row : rows) {
            String id = row.attr("data-run-id");
            JsonNode run = RUNS.get(id);
            JsonNode config = run.get("config");
            assertThat(cell(row, "architecture"))
                    .isEqualTo(config.get("architecture").asText());
            assertThat(cell(row, "quantizer")).isEqualTo(config.get("quantizer").asText());
            assertThat(cell(row, "seed")).isEqualTo(config.get("seed").asText());
            assertThat(cell(row, "status")).isEqualTo(run.get("status").asText());
            assertThat(cell(row, "test-accuracy"))
                    .as(id)
                    .isEqualTo(percent(run.get("testAccuracy").asDouble()));
            JsonNode twin = twinOf(run);
            double delta = 100
                    * (run.get("testAccuracy").asDouble()
                            - twin.get("testAccuracy").asDouble());
            assertThat(cell(row, "delta")).as(id).isEqualTo(points(delta));
            assertThat(cell(row, "parity")).as(id).isEqualTo(parity(id, twin));
        }
    }

    @Test
    void everyGroupRowIsTheMeanAndStudentsIntervalOfItsSeeds() {
        List<Element> groups = page.select("table#groups tbody tr.group");
        assertThat(groups).isNotEmpty();
        int covered = 0;
        for (Element group : groups) {
            List<String> ids = List.of(group.attr("data-runs").trim().split(" "));
            covered += ids.size();
            double[] accuracies = ids.stream()
                    .mapToDouble(id -> RUNS.get(id).get("testAccuracy").asDouble())
                    .toArray();
            double mean = mean(accuracies);
            int n = accuracies.length;
            double variance = 0;
            for (double a : accuracies) {
                variance += (a - mean) * (a - mean) / (n - 1);
            }
            double halfWidth = new TDistribution(n - 1).inverseCumulativeProbability(0.975) * Math.sqrt(variance / n);
            assertThat(cell(group, "accuracy")).isEqualTo(percent(mean) + " ± " + fixed(100 * halfWidth));
            assertThat(cell(group, "seeds")).isEqualTo(Integer.toString(n));

            double[] twins = ids.stream()
                    .mapToDouble(id -> twinOf(RUNS.get(id)).get("testAccuracy").asDouble())
                    .toArray();
            assertThat(cell(group, "delta")).isEqualTo(points(100 * (mean - mean(twins))));
            assertThat(cell(group, "parity"))
                    .isEqualTo(
                            RUNS.get(ids.get(0)).get("quantizer").get("levels").asInt() == 0
                                    ? "—"
                                    : String.join(
                                            ", ",
                                            ids.stream()
                                                    .map(id -> parity(id, twinOf(RUNS.get(id))))
                                                    .toList()));

            JsonNode memory = RUNS.get(ids.get(0)).get("memory");
            assertThat(cell(group, "parameters"))
                    .isEqualTo(String.format(
                            Locale.ROOT, "%,d", memory.get("parameters").asLong()));
            assertThat(cell(group, "fp32-bytes"))
                    .isEqualTo(bytes(memory.get("fp32Bytes").asDouble()));
            assertThat(cell(group, "ideal-bytes"))
                    .isEqualTo(bytes(memory.get("idealBytes").asDouble()));
            assertThat(cell(group, "packed-bytes"))
                    .isEqualTo(bytes(memory.get("packedBytes").asDouble()));
            assertThat(cell(group, "compression"))
                    .isEqualTo(String.format(
                            Locale.ROOT,
                            "%.1f×",
                            memory.get("fp32Bytes").asDouble()
                                    / memory.get("packedBytes").asDouble()));
            assertThat(cell(group, "diverged")).isEqualTo("0");
        }
        assertThat(covered).isEqualTo(RUNS.size());
    }

    @Test
    void everyRunSectionListsItsStoredTensorsAndConfig() {
        for (Map.Entry<String, JsonNode> entry : RUNS.entrySet()) {
            Element section = page.getElementById("run-" + entry.getKey());
            assertThat(section).as(entry.getKey()).isNotNull();
            JsonNode tensors = entry.getValue().get("memory").get("tensors");
            List<Element> layers = section.select("table.layers tbody tr:not(.total)");
            assertThat(layers).hasSize(tensors.size());
            for (int i = 0; i < tensors.size(); i++) {
                JsonNode tensor = tensors.get(i);
                List<String> cells = layers.get(i).select("td").eachText();
                assertThat(cells.get(0)).isEqualTo(tensor.get("name").asText());
                assertThat(cells.get(2)).isEqualTo(tensor.get("quantized").asBoolean() ? "quantized" : "fp32");
                assertThat(cells.get(3))
                        .isEqualTo(String.format(
                                Locale.ROOT, "%,d", tensor.get("elements").asLong()));
                assertThat(cells.get(7))
                        .isEqualTo(bytes(tensor.get("packedBytes").asDouble()));
            }
            assertThat(section.select("dl.config dd").eachText())
                    .contains(
                            entry.getValue().get("config").get("layerPolicy").asText(),
                            entry.getValue().get("epochsCompleted").asInt() + " of "
                                    + entry.getValue()
                                            .get("config")
                                            .get("recipe")
                                            .get("epochs")
                                            .asInt());
            assertThat(section.select("figure.run-curve svg")).hasSize(1);
        }
    }

    @Test
    void provenanceShowsEveryValueTheRunsRecorded() {
        List<String> rows = page.select("table#provenance-table tbody tr").eachText();
        for (JsonNode run : RUNS.values()) {
            Iterator<Map.Entry<String, JsonNode>> fields = run.get("provenance").fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!field.getKey().startsWith("plugin.jar.")) {
                    assertThat(rows)
                            .anyMatch(r -> r.startsWith(
                                    field.getKey() + " " + field.getValue().asText() + " "));
                }
            }
        }
    }

    @Test
    void everyFindingHasAVerdictAndEveryChartIsAnInlineSvg() {
        assertThat(page.select(".finding")).hasSize(5);
        assertThat(page.select(".finding .verdict").eachText())
                .allMatch(v -> List.of(
                                "confirmed",
                                "refuted",
                                "consistent, not significant",
                                "inconsistent, not significant",
                                "not enough seeds",
                                "not enough runs")
                        .contains(v));
        // F1 has its runs: fp32 and low-bit runs of the same architectures finished; but two seeds are below
        // the default minimum of three, so no finding is confirmed or refuted.
        assertThat(page.selectFirst("#finding-F1 .verdict").text()).isEqualTo("not enough seeds");
        assertThat(page.select(".finding > p:first-child .verdict").eachText())
                .allMatch(v -> v.equals("not enough seeds") || v.equals("not enough runs"));
        assertThat(page.select("section#charts figure svg").size()).isGreaterThanOrEqualTo(7);
        assertThat(page.select("section#charts figure")).allMatch(f -> f.selectFirst("svg") != null);
    }

    @Test
    void theReportOptionsChangeTheVerdictsAndTheIntervalsAndAreStatedOnThePage() throws Exception {
        Path output = RealResults.directory().resolveSibling("options-report").resolve("index.html");
        CliTest.Result report = lowbit(
                "report",
                RealResults.directory().toString(),
                "-o",
                output.toString(),
                "--min-seeds",
                "2",
                "--confidence",
                "0.9",
                "--parity-tolerance",
                "2");
        assertThat(report.exitCode()).as(report.err()).isZero();
        Document judged = Jsoup.parse(Files.readString(output));

        // Two seeds now suffice: F1 is judged on its interval, whichever way it falls.
        assertThat(judged.selectFirst("#finding-F1 .verdict").text()).isNotIn("not enough seeds", "not enough runs");
        assertThat(judged.selectFirst("#finding-F1 .part").text()).contains("n = 2 seeds:", "90% interval");
        assertThat(judged.getElementById("findings-method").text())
                .contains("90% Student-t interval", "not enough seeds below 2", "at most 2 pp below the fp32 twin");
        JsonNode data = JSON.readTree(judged.getElementById("lowbit-data").data());
        assertThat(data.get("confidence").asDouble()).isEqualTo(0.9);
        assertThat(data.get("minSeeds").asInt()).isEqualTo(2);
        assertThat(data.get("parityTolerance").asDouble()).isEqualTo(0.02);
    }

    @Test
    void aBadReportOptionIsOneLineAndExitTwo() {
        for (String[] bad : List.of(
                new String[] {"--confidence", "1"},
                new String[] {"--confidence", "0.2"},
                new String[] {"--min-seeds", "1"},
                new String[] {"--parity-tolerance", "-1"})) {
            CliTest.Result result = lowbit(
                    "report",
                    RealResults.directory().toString(),
                    "-o",
                    RealResults.directory()
                            .resolveSibling("bad-options")
                            .resolve("index.html")
                            .toString(),
                    bad[0],
                    bad[1]);
            assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
            assertThat(result.err().strip().lines()).singleElement().asString().contains(bad[0], bad[1]);
            assertThat(RealResults.directory().resolveSibling("bad-options")).doesNotExist();
        }
    }

    private static JsonNode twinOf(JsonNode run) {
        JsonNode config = run.get("config");
        return RUNS.values().stream()
                .filter(r -> r.get("quantizer").get("levels").asInt() == 0)
                .filter(r -> r.get("config").get("architecture").equals(config.get("architecture")))
                .filter(r -> r.get("config").get("seed").equals(config.get("seed")))
                .filter(r -> r.get("config").get("recipe").equals(config.get("recipe")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no fp32 twin for " + run.get("runId")));
    }

    /** The first epoch within one point of the twin's best validation accuracy, or {@code > N}. */
    private static String parity(String id, JsonNode twin) {
        double best = EPOCHS.get(twin.get("runId").asText()).stream()
                .mapToDouble(e -> e.get("validationAccuracy").asDouble())
                .max()
                .orElseThrow();
        return EPOCHS.get(id).stream()
                .filter(e -> e.get("validationAccuracy").asDouble() >= best - 0.01 - 1e-9)
                .map(e -> e.get("epoch").asText())
                .findFirst()
                .orElse("> " + RUNS.get(id).get("epochsCompleted").asInt());
    }

    private static String cell(Element row, String cssClass) {
        return row.selectFirst("td." + cssClass).text();
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    private static String fixed(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    private static String points(double points) {
        double rounded = Math.round(points * 100) / 100.0;
        return String.format(Locale.ROOT, "%+.2f pp", rounded == 0 ? 0.0 : rounded);
    }

    private static String bytes(double bytes) {
        if (bytes < 1024) {
            return String.format(Locale.ROOT, "%.0f B", bytes);
        }
        return bytes < 1024 * 1024
                ? String.format(Locale.ROOT, "%.1f KiB", bytes / 1024)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / 1024 / 1024);
    }
}
