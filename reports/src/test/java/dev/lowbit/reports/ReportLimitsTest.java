package dev.lowbit.reports;

import static dev.lowbit.reports.ResultsFixture.BINARY_ID;
import static dev.lowbit.reports.ResultsFixture.FP32_ID;
import static dev.lowbit.reports.ResultsFixture.TERNARY_ID;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.EpochRecord;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads what a real study holds and no more (README, "The report"): each file's size is
 * checked before it is read, and a run, or the rest of the folder, beyond a limit is skipped with a
 * warning that names the limit.
 */
class ReportLimitsTest {

    @TempDir
    Path results;

    private final List<String> warnings = new ArrayList<>();

    private StoredResults read() {
        return StoredResults.read(results, warnings::add);
    }

    private static List<String> ids(StoredResults stored) {
        return stored.runs().stream().map(r -> r.run().runId()).toList();
    }

    private Path runFolder(String runId) {
        return results.resolve("quick").resolve(runId);
    }

    /** A file of {@code bytes} zeros that takes no disk: the size check must refuse it before reading. */
    private static void sparseFile(Path file, long bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(bytes);
        }
    }

    @Test
    void anEpochsFileLargerThanTheLimitSkipsItsRunUnread() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path epochs = runFolder(BINARY_ID).resolve("epochs.jsonl");
        sparseFile(epochs, 8L << 30); // 8 GiB: reading it would run out of memory

        assertThat(ids(read())).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings)
                .containsExactly("skipping run '" + epochs.getParent() + "': epochs.jsonl is 8,589,934,592 bytes,"
                        + " more than the 16 MiB a report reads for one run (README, \"The report\")");
    }

    @Test
    void aRunJsonLargerThanTheLimitSkipsItsRunUnread() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path run = runFolder(TERNARY_ID).resolve("run.json");
        sparseFile(run, ReportLimits.MAX_RUN_FILE_BYTES + 1);

        assertThat(ids(read())).containsExactly(FP32_ID, BINARY_ID);
        assertThat(warnings)
                .singleElement()
                .asString()
                .isEqualTo("skipping run '" + run.getParent()
                        + "': run.json is 1,048,577 bytes, more than the 1 MiB a report"
                        + " reads for one run (README, \"The report\")");
    }

    @Test
    void moreEpochsThanTheLimitSkipTheRun() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path epochs = runFolder(BINARY_ID).resolve("epochs.jsonl");
        String line = Files.readAllLines(epochs).get(0).replace("\"epoch\":1,", "\"epoch\":%d,");
        StringBuilder lines = new StringBuilder();
        for (int epoch = 1; epoch <= ReportLimits.MAX_EPOCHS + 1; epoch++) {
            lines.append(String.format(line, epoch)).append('\n');
        }
        Files.writeString(epochs, lines);

        assertThat(ids(read())).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings)
                .containsExactly("skipping run '" + epochs.getParent() + "': epochs.jsonl holds more than"
                        + " 1000 epochs, the most a report draws for one run (README, \"The report\")");
    }

    @Test
    void exactlyTheLimitOfEpochsIsRead() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path epochs = runFolder(BINARY_ID).resolve("epochs.jsonl");
        String line = Files.readAllLines(epochs).get(0).replace("\"epoch\":1,", "\"epoch\":%d,");
        StringBuilder lines = new StringBuilder();
        for (int epoch = 1; epoch <= ReportLimits.MAX_EPOCHS; epoch++) {
            lines.append(String.format(line, epoch)).append('\n');
        }
        Files.writeString(epochs, lines);

        StoredResults stored = read();

        assertThat(warnings).isEmpty();
        assertThat(stored.runs().get(2).epochs()).hasSize(ReportLimits.MAX_EPOCHS);
    }

    @Test
    void aChartDrawsAtMostMaxSeriesAndItsCaptionSaysSo() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        int specs = ReportLimits.MAX_SERIES_PER_CHART + 1;
        for (int i = 0; i < specs; i++) {
            List<EpochRecord> epochs = new ArrayList<>();
            for (int epoch = 1; epoch <= 2; epoch++) {
                epochs.add(new EpochRecord(epoch, 0.5, 0.8, 0.5, 0.8, 1, 0.001, 0.01 * (i % 10), 0.2, 0, Map.of()));
            }
            String spec = String.format("ternary@rule%03d/tensor", i);
            ResultsFixture.write(
                    results,
                    ResultsFixture.finished(
                            "many-" + i,
                            ResultsFixture.config("quick", "fcnn-small", spec, 1),
                            ResultsFixture.ternary(),
                            ResultsFixture.TERNARY_MEMORY,
                            epochs,
                            0.8),
                    epochs);
        }

        Document page = Jsoup.parse(Files.readString(
                new ReportWriter().write(results, results.resolve("report").resolve("index.html"), warnings::add)));

        assertThat(warnings).isEmpty();
        Element flips = page.getElementById("flip-ratio");
        List<String> legend = flips.select("svg text").eachText().stream()
                .filter(text -> text.startsWith("fcnn-small / "))
                .toList();
        assertThat(legend).as("legend entries").hasSize(ReportLimits.MAX_SERIES_PER_CHART);
        // The standard study stored no flip ratio: the 101 crafted groups are the series.
        assertThat(flips.selectFirst("figcaption").text())
                .endsWith("Only the first 100 of its 101 series are drawn"
                        + " (the most a chart draws); all are in the tables.");
        assertThat(page.select("table#runs tbody tr"))
                .as("every run is in the tables")
                .hasSize(3 + specs);
    }

    @Test
    void aSymbolicLinkIsNotFollowedOutOfTheResultsFolder() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path outside = Files.writeString(
                results.getParent().resolve(results.getFileName() + "-secret.json"), "{\"runId\": \"secret\"}");
        try {
            Path run = runFolder(TERNARY_ID).resolve("run.json");
            Files.delete(run);
            Files.createSymbolicLink(run, outside);

            assertThat(ids(read())).containsExactly(FP32_ID, BINARY_ID);
            assertThat(warnings)
                    .containsExactly("skipping run '" + run.getParent() + "': run.json is a symbolic link;"
                            + " the report reads only files inside the results folder, so copy the file itself there");
        } finally {
            Files.delete(outside);
        }
    }

    @Test
    void atMostMaxRunsAreReadAndOneWarningSaysHowManyWereLeftOut() throws IOException {
        for (int i = 0; i < ReportLimits.MAX_RUNS + 5; i++) {
            Path folder = Files.createDirectories(results.resolve("many").resolve(String.format("run-%05d", i)));
            Files.writeString(folder.resolve("epochs.jsonl"), "");
        }

        StoredResults stored = read();

        assertThat(stored.inProgress()).hasSize(ReportLimits.MAX_RUNS);
        assertThat(stored.inProgressRows()).hasSize(ReportLimits.MAX_RUNS);
        assertThat(warnings)
                .containsExactly("skipping 5 of the 2005 runs under '" + results + "': a report shows at"
                        + " most 2000 runs (README, \"The report\"); report on one suite's folder at a time");
    }

    @Test
    void theTotalReadIsBoundedAndTheRunsBeyondAreNamedInOneWarning() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        // 17 runs of a 16 MiB epochs.jsonl each (sparse: no disk) pass the per-file limit, not the total one.
        for (int i = 0; i < 17; i++) {
            Path folder = Files.createDirectories(results.resolve("big").resolve(String.format("run-%02d", i)));
            Files.copy(runFolder(FP32_ID).resolve("run.json"), folder.resolve("run.json"));
            sparseFile(folder.resolve("epochs.jsonl"), ReportLimits.MAX_EPOCHS_FILE_BYTES);
        }

        StoredResults stored = read();

        assertThat(ids(stored))
                .as("the standard study is read after the big folder's runs")
                .isEmpty();
        // 15 big runs fit in 256 MiB with their run.json files; the 16th does not.
        assertThat(warnings).hasSize(16);
        assertThat(warnings.get(15))
                .isEqualTo("skipping 5 of the 20 runs under '" + results + "' from '"
                        + results.resolve("big").resolve("run-15")
                        + "' on: a report reads at most 256 MiB of run files in all"
                        + " (README, \"The report\"); report on one suite's folder at a time");
    }
}
