package dev.lowbit.reports;

import static dev.lowbit.reports.ResultsFixture.BINARY_ID;
import static dev.lowbit.reports.ResultsFixture.FP32_ID;
import static dev.lowbit.reports.ResultsFixture.TERNARY_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportWriterTest {

    @TempDir
    Path dir;

    private Path results() {
        return dir.resolve("results");
    }

    private Document render() throws IOException {
        Path out = new ReportWriter().write(results(), dir.resolve("report").resolve("index.html"));
        assertThat(out).isEqualTo(dir.resolve("report").resolve("index.html"));
        return Jsoup.parse(Files.readString(out));
    }

    private static Element row(Document page, String runId) {
        Element row = page.selectFirst("table#runs tbody tr[data-run-id=" + runId + "]");
        assertThat(row).as("row of %s", runId).isNotNull();
        return row;
    }

    private static String cell(Document page, String runId, String column) {
        return row(page, runId).selectFirst("td." + column).text();
    }

    @Test
    void tableHasExactlyOneRowPerStoredRunInReportOrder() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        assertThat(page.select("table#runs tbody tr"))
                .extracting(r -> r.attr("data-run-id"))
                .containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(page.getElementById("run-count").text()).isEqualTo("3");
        assertThat(page.getElementById("results-dir").text())
                .isEqualTo(results().toString());
        assertThat(page.title()).isEqualTo("lowbit report");
    }

    @Test
    void deltaAndParityCellsMatchTheHandComputedStudy() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        assertThat(cell(page, FP32_ID, "delta")).isEqualTo("+0.00 pp");
        assertThat(cell(page, FP32_ID, "parity")).isEqualTo("3");
        assertThat(cell(page, TERNARY_ID, "delta")).isEqualTo("-1.38 pp");
        assertThat(cell(page, TERNARY_ID, "parity")).isEqualTo("2");
        assertThat(cell(page, BINARY_ID, "delta")).isEqualTo("-8.99 pp");
        assertThat(cell(page, BINARY_ID, "parity")).isEqualTo("> 3");
        assertThat(row(page, BINARY_ID).selectFirst("td.parity").hasClass("censored"))
                .isTrue();
    }

    @Test
    void rowShowsQuantizerLevelsBitsAccuracyMemoryAndStatus() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        assertThat(row(page, TERNARY_ID).select("td").eachText())
                .containsExactly(
                        "fcnn-small",
                        "ternary",
                        "3",
                        "W1.58",
                        "86.12%",
                        "-1.38 pp",
                        "2",
                        "397.5 KiB → 26.1 KiB",
                        "15.2×",
                        "1",
                        "FINISHED",
                        TERNARY_ID);
        assertThat(row(page, FP32_ID).select("td").eachText())
                .containsExactly(
                        "fcnn-small",
                        "fp32",
                        "fp32",
                        "W32",
                        "87.50%",
                        "+0.00 pp",
                        "3",
                        "397.5 KiB → 397.5 KiB",
                        "1.0×",
                        "1",
                        "FINISHED",
                        FP32_ID);
        assertThat(cell(page, BINARY_ID, "bits")).isEqualTo("W1");
        assertThat(cell(page, BINARY_ID, "memory")).isEqualTo("397.5 KiB → 16.5 KiB");
        assertThat(cell(page, BINARY_ID, "compression")).isEqualTo("24.1×");
    }

    @Test
    void memoryShowsThePackedFileWhenOneWasWritten() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        List<EpochRecord> e = ResultsFixture.epochs(0.8);
        MemoryRecord packed =
                new MemoryRecord(101_760, 100_480, 2, 407_040, 26_726.4, 27_440L, 26_560L, 25_000.0, List.of());
        ResultsFixture.write(
                results(),
                ResultsFixture.finished(
                        "packed",
                        ResultsFixture.config("quick", "fcnn-small", "ternary", 2),
                        ResultsFixture.ternary(),
                        packed,
                        e,
                        0.8),
                e);

        Document page = render();

        assertThat(cell(page, "packed", "memory")).isEqualTo("397.5 KiB → 26.1 KiB → 26.8 KiB");
    }

    @Test
    void aRunWithoutStoredTwinSaysSo() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        List<EpochRecord> e = ResultsFixture.epochs(0.8);
        ResultsFixture.write(
                results(),
                ResultsFixture.finished(
                        "seed2",
                        ResultsFixture.config("quick", "fcnn-small", "binary", 2),
                        ResultsFixture.binary(),
                        ResultsFixture.BINARY_MEMORY,
                        e,
                        0.8),
                e);

        Document page = render();

        assertThat(cell(page, "seed2", "delta")).isEqualTo("—");
        assertThat(cell(page, "seed2", "parity")).isEqualTo("no fp32 twin");
    }

    @Test
    void learningCurveChartIsAnInlineSvgWithALinePerQuantizerAndTheFp32Reference() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        Element svg = page.selectFirst("figure#curve-0 svg#chart-curve-0");
        assertThat(svg).isNotNull();
        assertThat(svg.attr("viewBox")).isEqualTo("0.0 0.0 900.0 420.0");
        List<String> texts = svg.select("text").eachText();
        assertThat(texts)
                .contains(
                        "ternary W1.58 (1 seeds)",
                        "binary W1 (1 seeds)",
                        "fp32 W32 (1 seeds)",
                        "epoch",
                        "validation accuracy (%)");
        // Integer epoch ticks only: 1, 2, 3 and never 1.5.
        assertThat(texts).contains("1", "2", "3").doesNotContain("1.5", "2.5");
        assertThat(page.selectFirst("figure#curve-0 h3").text()).isEqualTo("Validation accuracy per epoch: fcnn-small");
    }

    @Test
    void accuracyAgainstBitsHasALinePerArchitectureWhenOneScaleRuleIsUsedAndNamesEachPoint() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        List<String> texts =
                page.selectFirst("figure#accuracy-vs-bits svg").select("text").eachText();
        assertThat(texts).filteredOn(t -> t.startsWith("fcnn-")).containsExactly("fcnn-small");
        assertThat(texts)
                .filteredOn(
                        t -> List.of("ternary W1.58", "binary W1", "fp32 W32").contains(t))
                .containsExactly("binary W1", "ternary W1.58");
    }

    @Test
    void everyChartHasItsOwnIdsSoClipPathsNeverCollide() throws IOException {
        ResultsFixture.writeStandardStudy(results());

        Document page = render();

        List<String> ids = page.select("svg [id]").eachAttr("id");
        assertThat(ids).doesNotHaveDuplicates();
        assertThat(page.select("figure svg")).hasSizeGreaterThan(3);
    }

    @Test
    void runsWithoutStoredEpochsStillGetARowAndThePageSaysThereIsNothingToDraw() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        for (String id : List.of(FP32_ID, TERNARY_ID, BINARY_ID)) {
            Files.delete(results().resolve("quick").resolve(id).resolve("epochs.jsonl"));
        }

        Document page = render();

        assertThat(page.select("table#runs tbody tr")).hasSize(3);
        assertThat(cell(page, TERNARY_ID, "parity")).isEqualTo("> 3");
        assertThat(page.select("figure[id^=curve], figure.run-curve, figure#flip-ratio"))
                .isEmpty();
        assertThat(page.select("#missing-charts li").eachText())
                .contains("Learning curves: no run stored an epoch.", "Flip ratio: no low-bit run stored one.");
    }

    @Test
    void pageLoadsNothingFromTheNetwork() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        Path out = new ReportWriter().write(results(), dir.resolve("index.html"));
        String html = Files.readString(out);
        Document page = Jsoup.parse(html);

        assertThat(page.select("script[src], link[href], img[src], iframe, object, embed"))
                .isEmpty();
        assertThat(page.select("script")).extracting(s -> s.attr("type")).containsOnly("application/json");
        assertThat(page.select("style")).hasSize(1);
        // The chart clips with url(#id), which points inside the page; nothing may point outside it.
        assertThat(html).doesNotContain("@import").doesNotContainPattern("url\\((?!#)");
        assertThat(page.select("[href^=http], [src^=http], [href^=//], [src^=//]"))
                .isEmpty();
    }

    @Test
    void malformedRunIsSkippedWhileTheOthersRenderAndThePageSaysSo() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        Files.writeString(results().resolve("quick").resolve(BINARY_ID).resolve("run.json"), "{ not json");

        Document page = render();

        assertThat(page.select("table#runs tbody tr"))
                .extracting(r -> r.attr("data-run-id"))
                .containsExactly(FP32_ID, TERNARY_ID);
        assertThat(page.select("#skipped li"))
                .singleElement()
                .extracting(Element::text)
                .asString()
                .contains(BINARY_ID);
    }

    @Test
    void runInProgressIsListedAsUnfinishedButKeptOutOfTheResults() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        ResultsFixture.writeEpochsOnly(results(), "quick", "fcnn-small-quinary-s1", ResultsFixture.epochs(0.6, 0.7));
        Path started = ResultsFixture.writeEpochsOnly(results(), "quick", "fcnn-small-k9-s1", List.of());
        ResultsFixture.JSON.writeValue(
                started.resolve("config.json").toFile(),
                ResultsFixture.config("quick", "fcnn-small", "k9@mse/tensor", 1));

        Document page = render();

        assertThat(page.select("table#runs tbody tr")).hasSize(3);
        assertThat(page.select("tr[data-run-id=fcnn-small-quinary-s1]")).isEmpty();
        assertThat(page.getElementById("in-progress").selectFirst("p").text()).startsWith("2 run(s) have not finished");
        assertThat(page.select("#in-progress tr.in-progress"))
                .extracting(Element::text)
                .containsExactly(
                        "quick/fcnn-small-k9-s1 fcnn-small / k9@mse/tensor / seed 1 0 of 3 —",
                        "quick/fcnn-small-quinary-s1 — 2 70.00%");
    }

    @Test
    void failedRunShowsItsErrorAsTextNeverAsMarkup() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        String error = "NaN loss </script><script>alert(1)</script> & <b>more</b>";
        List<EpochRecord> e = ResultsFixture.epochs(0.5);
        ResultsFixture.write(
                results(),
                ResultsFixture.failed(
                        "broken",
                        ResultsFixture.config("quick", "fcnn-small", "quinary", 1),
                        new QuantizerRecord(
                                "quinary",
                                5,
                                List.of(-2.0, -1.0, 0.0, 1.0, 2.0),
                                true,
                                Math.log(5) / Math.log(2),
                                "absmax"),
                        null,
                        e,
                        error),
                e);

        Document page = render();

        Element row = row(page, "broken");
        assertThat(cell(page, "broken", "memory")).isEqualTo("—");
        assertThat(row.hasClass("failed")).isTrue();
        assertThat(row.selectFirst("td.status").ownText()).isEqualTo("FAILED");
        assertThat(row.selectFirst("td.status .error").text()).isEqualTo(error);
        assertThat(row.select("b, script")).isEmpty();
        assertThat(cell(page, "broken", "test-accuracy")).isEqualTo("—");
        assertThat(cell(page, "broken", "delta")).isEqualTo("—");
        assertThat(cell(page, "broken", "parity")).isEqualTo("> 1");
        assertThat(page.select("script")).hasSize(1);
    }

    @Test
    void rawResultsAreEmbeddedAsJsonThatReadsBackUnchanged() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        String error = "diverged </script><!-- at step 3";
        List<EpochRecord> e = ResultsFixture.epochs(0.5);
        ResultsFixture.write(
                results(),
                ResultsFixture.failed(
                        "broken",
                        ResultsFixture.config("quick", "fcnn-small", "binary", 7),
                        ResultsFixture.binary(),
                        ResultsFixture.BINARY_MEMORY,
                        e,
                        error),
                e);

        Document page = render();

        Element script = page.getElementById("lowbit-data");
        assertThat(script.attr("type")).isEqualTo("application/json");
        assertThat(script.data()).doesNotContain("</", "<!--");
        JsonNode data = ResultsFixture.JSON.readTree(script.data());
        assertThat(data.get("resultsDir").asText()).isEqualTo(results().toString());
        assertThat(data.get("parityTolerance").asDouble()).isEqualTo(0.01);
        JsonNode runs = data.get("runs");
        assertThat(runs).hasSize(4);
        assertThat(runs.get(1).get("run").get("runId").asText()).isEqualTo(TERNARY_ID);
        assertThat(runs.get(1).get("run").get("testAccuracy").asDouble()).isEqualTo(0.8612);
        assertThat(runs.get(1).get("epochs").get(1).get("validationAccuracy").asDouble())
                .isEqualTo(0.87);
        assertThat(runs.get(3).get("run").get("error").asText()).isEqualTo(error);
    }

    @Test
    void missingOrEmptyResultsDirectoryIsAClearError() throws IOException {
        Path out = dir.resolve("index.html");
        assertThatThrownBy(() -> new ReportWriter().write(results(), out))
                .isInstanceOf(ReportException.class)
                .hasMessageContaining("'" + results() + "' does not exist");

        Files.createDirectories(results().resolve("quick"));
        assertThatThrownBy(() -> new ReportWriter().write(results(), out))
                .isInstanceOf(ReportException.class)
                .hasMessage("No runs under '" + results() + "'. Run 'lowbit run --suite quick' first.");
        assertThat(out).doesNotExist();
    }

    @Test
    void aStudyWhoseRunsAreAllStillTrainingRendersAndSaysSo() throws IOException {
        ResultsFixture.writeEpochsOnly(results(), "quick", "running", ResultsFixture.epochs(0.5));

        Document page = Jsoup.parse(Files.readString(new ReportWriter().write(results(), dir.resolve("index.html"))));

        assertThat(page.select("#in-progress tr.in-progress")).hasSize(1);
        assertThat(page.select("table#runs tbody tr")).isEmpty();
        assertThat(page.select(".finding .verdict").eachText()).containsOnly("not enough runs");
    }

    @Test
    void rewritingReplacesTheOldReportAndLeavesNoTemporaryFiles() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        Path out = dir.resolve("report").resolve("index.html");
        Files.createDirectories(out.getParent());
        Files.writeString(out, "old");

        new ReportWriter().write(results(), out);

        assertThat(Files.readString(out)).startsWith("<!DOCTYPE html>");
        try (var files = Files.list(out.getParent())) {
            assertThat(files).containsExactlyInAnyOrder(out, out.resolveSibling("index.csv"));
        }
    }

    @Test
    void writesTheRunsTableAsCsvBesideThePageAndLinksIt() throws IOException {
        ResultsFixture.writeStandardStudy(results());
        Path out = dir.resolve("report").resolve("index.html");

        new ReportWriter().write(results(), out);

        List<String> lines = Files.readAllLines(out.resolveSibling("index.csv"));
        // Text cells are always quoted (CSV injection: a spreadsheet must never split or evaluate them).
        assertThat(lines.get(0))
                .isEqualTo("\"runId\",\"suite\",\"dataset\",\"architecture\",\"quantizer\","
                        + "\"layerPolicy\",\"recipe\",\"seed\",\"levels\",\"bitsPerWeight\",\"status\",\"epochsCompleted\","
                        + "\"bestValidationAccuracy\",\"testAccuracy\",\"deltaVsFp32Points\",\"epochsToParity\",\"fp32Bytes\","
                        + "\"idealBytes\",\"packedBytes\",\"estimator\",\"activations\",\"activationBits\"");
        assertThat(lines).hasSize(4);
        String ternary = lines.stream()
                .filter(l -> l.startsWith("\"" + TERNARY_ID + "\","))
                .findFirst()
                .orElseThrow();
        assertThat(ternary.split(",", -1))
                .startsWith(
                        "\"" + TERNARY_ID + "\"",
                        "\"quick\"",
                        "\"fashion-mnist\"",
                        "\"fcnn-small\"",
                        "\"ternary\"",
                        "\"all\"",
                        "\"base\"",
                        "1",
                        "3");
        assertThat(ternary)
                .contains(",\"FINISHED\",3,")
                .contains(",0.8612,")
                .contains(",\"2\",407040.0,26726.4,")
                .endsWith(",\"ste\",\"none\",32.0");
        Document page = Jsoup.parse(out.toFile());
        assertThat(page.selectFirst("a#csv").attr("href")).isEqualTo("index.csv");
    }
}
