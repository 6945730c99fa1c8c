package dev.lowbit.reports;

import static dev.lowbit.reports.ResultsFixture.BINARY_ID;
import static dev.lowbit.reports.ResultsFixture.FP32_ID;
import static dev.lowbit.reports.ResultsFixture.TERNARY_ID;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoredResultsTest {

    @TempDir
    Path results;

    private final List<String> warnings = new ArrayList<>();

    private StoredResults read(Path dir) {
        return StoredResults.read(dir, warnings::add);
    }

    private static List<String> ids(StoredResults stored) {
        return stored.runs().stream().map(r -> r.run().runId()).toList();
    }

    @Test
    void readsEveryRunWithItsEpochsAndOrdersFp32FirstThenFewerBits() {
        ResultsFixture.writeStandardStudy(results);

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        StoredRun ternary = stored.runs().get(1);
        assertThat(ternary.run().testAccuracy()).isEqualTo(0.8612);
        assertThat(ternary.epochs()).extracting(EpochRecord::validationAccuracy).containsExactly(0.78, 0.87, 0.86);
        assertThat(stored.inProgress()).isEmpty();
        assertThat(stored.skipped()).isEmpty();
        assertThat(warnings).isEmpty();
    }

    @Test
    void ordersByArchitectureThenBitsDescendingThenQuantizerIdThenSeed() {
        List<EpochRecord> e = ResultsFixture.epochs(0.5);
        write("cnn-b1", "cnn", ResultsFixture.binary(), 1, e);
        write("fcnn-b2", "fcnn", ResultsFixture.binary(), 2, e);
        write("fcnn-b1", "fcnn", ResultsFixture.binary(), 1, e);
        write("fcnn-t1", "fcnn", ResultsFixture.ternary(), 1, e);
        write("fcnn-f1", "fcnn", ResultsFixture.fp32(), 1, e);
        // Same bits as binary: the quantizer spec breaks the tie ("binary" < "sign").
        QuantizerRecord sign = new QuantizerRecord("sign", 2, List.of(-1.0, 1.0), false, 1, "none");
        write("fcnn-s1", "fcnn", sign, 1, e);

        assertThat(ids(read(results))).containsExactly("cnn-b1", "fcnn-f1", "fcnn-t1", "fcnn-b1", "fcnn-b2", "fcnn-s1");
    }

    @Test
    void mergesSuitesFromTheResultsRootAndReadsOneSuiteFromItsFolder() {
        ResultsFixture.writeStandardStudy(results);
        List<EpochRecord> e = ResultsFixture.epochs(0.9);
        ResultsFixture.write(
                results,
                ResultsFixture.finished(
                        "paper-run",
                        ResultsFixture.config("paper", "cnn", "fp32", 1),
                        ResultsFixture.fp32(),
                        ResultsFixture.FP32_MEMORY,
                        e,
                        0.9),
                e);

        assertThat(ids(read(results))).containsExactly("paper-run", FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(ids(read(results.resolve("quick")))).containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(ids(read(results.resolve("paper")))).containsExactly("paper-run");
    }

    @Test
    void readsRunsWithAndWithoutASchemaVersionAndListsANewerOneAsUnreadable() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path binary = results.resolve("quick").resolve(BINARY_ID).resolve("run.json");
        Files.writeString(binary, Files.readString(binary).replaceFirst("\\{", "{\"schemaVersion\":1,"));
        Path ternary = results.resolve("quick").resolve(TERNARY_ID).resolve("run.json");
        Files.writeString(ternary, Files.readString(ternary).replaceFirst("\\{", "{\"schemaVersion\":2,"));
        Path unfinished = ResultsFixture.writeEpochsOnly(results, "quick", "in-progress", ResultsFixture.epochs(0.5));
        Files.writeString(unfinished.resolve("config.json"), "{\"schemaVersion\": 9, \"suite\": \"quick\"}");

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, BINARY_ID);
        assertThat(stored.inProgress()).isEmpty();
        assertThat(warnings)
                .containsExactly(
                        "skipping run '" + ternary.getParent() + "': '" + ternary
                                + "' has schema version 2, newer than this"
                                + " lowbit knows (it reads up to schema version 1): upgrade lowbit to read it.",
                        "skipping run '" + unfinished + "': '" + unfinished.resolve("config.json")
                                + "' has schema version 9,"
                                + " newer than this lowbit knows (it reads up to schema version 1): upgrade lowbit to read it.");
    }

    @Test
    void skipsAMalformedRunJsonWithAWarningAndKeepsTheOthers() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path broken = results.resolve("quick").resolve(TERNARY_ID).resolve("run.json");
        Files.writeString(broken, "{\"runId\": \"fcnn-small-ternary-s1\", \"status\": ");

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, BINARY_ID);
        assertThat(warnings).singleElement().asString().startsWith("skipping run '" + broken.getParent() + "'");
        assertThat(stored.skipped()).isEqualTo(warnings);
    }

    @Test
    void skipsARunWhoseRunJsonLacksARequiredPart() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Files.writeString(
                results.resolve("quick").resolve(BINARY_ID).resolve("run.json"),
                "{\"runId\": \"x\", \"status\": \"FINISHED\", \"provenance\": {}}");

        assertThat(ids(read(results))).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings).singleElement().asString().endsWith("run.json has no 'config'");
    }

    @Test
    void skipsARunWhoseConfigLacksTheQuantizerSpec() {
        ResultsFixture.writeStandardStudy(results);
        List<EpochRecord> e = ResultsFixture.epochs(0.8);
        ResultsFixture.write(
                results,
                ResultsFixture.finished(
                        BINARY_ID,
                        ResultsFixture.config("quick", "fcnn-small", null, 1),
                        ResultsFixture.binary(),
                        ResultsFixture.BINARY_MEMORY,
                        e,
                        0.8),
                e);

        assertThat(ids(read(results))).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings).singleElement().asString().endsWith("run.json has no 'config.quantizer'");
    }

    @Test
    void skipsARunWithAMalformedEpochLineNamingTheLine() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path epochs = results.resolve("quick").resolve(BINARY_ID).resolve("epochs.jsonl");
        Files.writeString(epochs, Files.readString(epochs) + "{\"epoch\": 4, \"trainLo\n");

        assertThat(ids(read(results))).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings).singleElement().asString().contains("epochs.jsonl line 4");
    }

    @Test
    void treatsAFolderWithOnlyEpochsAsInProgressNotAsARun() {
        ResultsFixture.writeStandardStudy(results);
        Path running = ResultsFixture.writeEpochsOnly(
                results, "quick", "fcnn-small-quinary-s1", ResultsFixture.epochs(0.6, 0.7));

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(stored.inProgress()).containsExactly(running);
        assertThat(warnings).isEmpty();
    }

    @Test
    void ignoresFieldsAddedToRunJsonByLaterVersions() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path file = results.resolve("quick").resolve(FP32_ID).resolve("run.json");
        String json = Files.readString(file);
        Files.writeString(file, json.replaceFirst("\\{", "{\"packedBytes\": 12345, \"flipRatio\": [0.1, 0.2],"));

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        RunRecord fp32 = stored.runs().get(0).run();
        assertThat(fp32.testAccuracy()).isEqualTo(0.875);
        assertThat(warnings).isEmpty();
    }

    @Test
    void keepsARunThatStoredNoEpochsWithAnEmptyCurve() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Files.delete(results.resolve("quick").resolve(BINARY_ID).resolve("epochs.jsonl"));

        StoredResults stored = read(results);

        assertThat(ids(stored)).containsExactly(FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(stored.runs().get(2).epochs()).isEmpty();
    }

    @Test
    void rejectsADirectoryThatDoesNotExist() {
        Path missing = results.resolve("nope");

        assertThatThrownBy(() -> read(missing))
                .isInstanceOf(ReportException.class)
                .hasMessage(
                        "Results directory '" + missing + "' does not exist. Run 'lowbit run --suite quick' first.");
    }

    private void write(
            String runId, String architecture, QuantizerRecord quantizer, long seed, List<EpochRecord> epochs) {
        ResultsFixture.write(
                results,
                ResultsFixture.finished(
                        runId,
                        ResultsFixture.config("quick", architecture, quantizer.id(), seed),
                        quantizer,
                        ResultsFixture.TERNARY_MEMORY,
                        epochs,
                        0.5),
                epochs);
    }
}
