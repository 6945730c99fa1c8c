package dev.lowbit.reports;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Writes real result folders the way the harness does (plain Jackson, record defaults), so the tests
 * read exactly the files a user has.
 *
 * <p>The standard study is fcnn-small x fp32/ternary/binary, seed 1, 3 epochs each, with numbers
 * chosen so every reported value can be worked out by hand:
 * <pre>
 *   run              validation accuracy   test     Δ vs fp32              parity (fp32 best 0.88, -0.01 = 0.87)
 *   fp32             0.80 0.85 0.88        0.8750   +0.00 pp               3
 *   ternary          0.78 0.87 0.86        0.8612   -1.38 pp               2 (0.87 sits exactly on the threshold)
 *   binary           0.70 0.75 0.79        0.7851   -8.99 pp               > 3 (censored: not reached in 3)
 * </pre>
 */
final class ResultsFixture {

    static final ObjectMapper JSON = new ObjectMapper();

    static final String FP32_ID = "fcnn-small-fp32-s1";
    static final String TERNARY_ID = "fcnn-small-ternary-s1";
    static final String BINARY_ID = "fcnn-small-binary-s1";

    /** 101,760 parameters of which 100,480 quantized weights, 2 scales (numbers as fcnn-small reports them). */
    static final MemoryRecord FP32_MEMORY = new MemoryRecord(101_760, 0, 0, 407_040, 407_040);

    static final MemoryRecord TERNARY_MEMORY = new MemoryRecord(101_760, 100_480, 2, 407_040, 26_726.4);
    static final MemoryRecord BINARY_MEMORY = new MemoryRecord(101_760, 100_480, 2, 407_040, 16_896);

    private ResultsFixture() {}

    static final Recipe RECIPE = new Recipe("base", "adam", 0.001, "constant", 64, 3, 0, "none");

    static RunConfig config(String suite, String architecture, String quantizer, long seed) {
        return new RunConfig(suite, "fashion-mnist", architecture, quantizer, "all", "none", RECIPE, 6000, 0.1, seed);
    }

    /** {@link #config} with another layer policy: a preset id, or a layer map such as {@code first=k17}. */
    static RunConfig config(String suite, String architecture, String quantizer, String layerPolicy, long seed) {
        return new RunConfig(suite, "fashion-mnist", architecture, quantizer, layerPolicy, RECIPE, 6000, 0.1, seed);
    }

    static QuantizerRecord fp32() {
        return new QuantizerRecord("fp32", 0, List.of(), true, 32, "none");
    }

    static QuantizerRecord ternary() {
        return new QuantizerRecord(
                "ternary", 3, List.of(-1.0, 0.0, 1.0), true, Math.log(3) / Math.log(2), "absmean per-tensor");
    }

    static QuantizerRecord binary() {
        return new QuantizerRecord("binary", 2, List.of(-1.0, 1.0), false, 1, "absmean per-tensor");
    }

    static List<EpochRecord> epochs(double... validationAccuracies) {
        List<EpochRecord> epochs = new ArrayList<>();
        for (int i = 0; i < validationAccuracies.length; i++) {
            double v = validationAccuracies[i];
            epochs.add(new EpochRecord(i + 1, 1.0 / (i + 2), v - 0.01, 1.1 / (i + 2), v, 2.5));
        }
        return epochs;
    }

    static final ModelRecord MODEL = new ModelRecord(List.of(1L, 28L, 28L), 10, 0.286f, 0.353f);

    static RunRecord finished(
            String runId,
            RunConfig config,
            QuantizerRecord quantizer,
            MemoryRecord memory,
            List<EpochRecord> epochs,
            double testAccuracy) {
        double best = epochs.stream()
                .mapToDouble(EpochRecord::validationAccuracy)
                .max()
                .orElse(0);
        return new RunRecord(
                runId,
                RunStatus.FINISHED,
                null,
                config,
                quantizer,
                memory,
                MODEL,
                epochs.size(),
                null,
                null,
                best,
                testAccuracy,
                0.4,
                "2025-01-01T10:00:00Z",
                "2025-01-01T10:01:00Z",
                Map.of("lowbit", "0.1.0"));
    }

    static RunRecord failed(
            String runId,
            RunConfig config,
            QuantizerRecord quantizer,
            MemoryRecord memory,
            List<EpochRecord> epochs,
            String error) {
        double best = epochs.stream()
                .mapToDouble(EpochRecord::validationAccuracy)
                .max()
                .orElse(0);
        return new RunRecord(
                runId,
                RunStatus.FAILED,
                error,
                config,
                quantizer,
                memory,
                null,
                epochs.size(),
                null,
                null,
                best,
                0,
                0,
                "2025-01-01T10:00:00Z",
                "2025-01-01T10:00:30Z",
                Map.of("lowbit", "0.1.0"));
    }

    /** Writes {@code <results>/<suite>/<run-id>/run.json} and its epochs.jsonl; returns the run folder. */
    static Path write(Path results, RunRecord run, List<EpochRecord> epochs) {
        Path dir = writeEpochsOnly(results, run.config().suite(), run.runId(), epochs);
        try {
            JSON.writeValue(dir.resolve("run.json").toFile(), run);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /**
     * Writes a finished fcnn-small run of the quick suite with two epochs (validation 0.70, then the
     * test accuracy) and this test accuracy: a point for the accuracy charts.
     */
    static Path writeFinished(
            Path results, String runId, QuantizerRecord quantizer, MemoryRecord memory, long seed, double test) {
        List<EpochRecord> epochs = epochs(0.70, test);
        return write(
                results,
                finished(runId, config("quick", "fcnn-small", quantizer.id(), seed), quantizer, memory, epochs, test),
                epochs);
    }

    /** A run in progress: epochs appended so far, no run.json yet. */
    static Path writeEpochsOnly(Path results, String suite, String runId, List<EpochRecord> epochs) {
        try {
            Path dir = Files.createDirectories(results.resolve(suite).resolve(runId));
            StringBuilder lines = new StringBuilder();
            for (EpochRecord epoch : epochs) {
                lines.append(JSON.writeValueAsString(epoch)).append('\n');
            }
            Files.writeString(dir.resolve("epochs.jsonl"), lines);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the standard study (see the class comment) into {@code results/quick}. */
    static Path writeStandardStudy(Path results) {
        writeRun(results, FP32_ID, fp32(), FP32_MEMORY, 0.8750, 0.80, 0.85, 0.88);
        writeRun(results, TERNARY_ID, ternary(), TERNARY_MEMORY, 0.8612, 0.78, 0.87, 0.86);
        writeRun(results, BINARY_ID, binary(), BINARY_MEMORY, 0.7851, 0.70, 0.75, 0.79);
        return results;
    }

    private static void writeRun(
            Path results,
            String runId,
            QuantizerRecord quantizer,
            MemoryRecord memory,
            double test,
            double... validation) {
        List<EpochRecord> epochs = epochs(validation);
        write(
                results,
                finished(runId, config("quick", "fcnn-small", quantizer.id(), 1), quantizer, memory, epochs, test),
                epochs);
    }
}
