package dev.lowbit.harness.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.ParityRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.TensorMemory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Results folders written by hand the way lowbit writes them (plain Jackson over the stored records),
 * for tests that need a folder's files, not training: valid runs, and runs whose every text field
 * carries an attack.
 */
final class CraftedResults {

    static final ObjectMapper JSON = new ObjectMapper();

    /** The quick suite's recipe, so a crafted run has the id {@code lowbit run --suite quick} plans. */
    static final Recipe QUICK_RECIPE = new Recipe("adam-constant", "adam", 0.001, "constant", 128, 3, 0, "none");

    static final ModelRecord MODEL = new ModelRecord(List.of(1L, 28L, 28L), 10, 0.286f, 0.353f);

    private CraftedResults() {}

    /** The quick suite's config of {@code architecture} x {@code quantizer}, seed 1. */
    static RunConfig quick(String architecture, String quantizer) {
        return new RunConfig("quick", "fashion-mnist", architecture, quantizer, "all", "none", QUICK_RECIPE, 0, 0.1, 1);
    }

    static QuantizerRecord fp32() {
        return new QuantizerRecord("fp32", 0, List.of(), true, 32, "none");
    }

    static QuantizerRecord ternary() {
        return new QuantizerRecord(
                "ternary", 3, List.of(-1.0, 0.0, 1.0), true, Math.log(3) / Math.log(2), "absmean per-tensor");
    }

    /** A finished run with plausible numbers. */
    static RunRecord finished(String runId, RunConfig config, QuantizerRecord quantizer, double testAccuracy) {
        MemoryRecord memory = quantizer.levels() == 0
                ? new MemoryRecord(101_770, 0, 0, 407_080, 407_080)
                : new MemoryRecord(101_770, 101_632, 3, 407_080, 20_656);
        return new RunRecord(
                runId,
                RunStatus.FINISHED,
                null,
                config,
                quantizer,
                memory,
                MODEL,
                3,
                null,
                null,
                0.88,
                testAccuracy,
                0.4,
                "2025-01-01T10:00:00Z",
                "2025-01-01T10:01:00Z",
                Map.of("lowbit.version", "test"));
    }

    /** Three epochs whose validation accuracy climbs to 0.88. */
    static List<EpochRecord> epochs() {
        List<EpochRecord> epochs = new ArrayList<>();
        for (int epoch = 1; epoch <= 3; epoch++) {
            epochs.add(new EpochRecord(
                    epoch,
                    1.0 / (epoch + 1),
                    0.8,
                    0.5,
                    0.85 + epoch / 100.0,
                    2.5,
                    0.001,
                    0.02,
                    0.2,
                    0,
                    Map.of("02QuantizedLinear_weight", List.of(20L, 60L, 20L))));
        }
        return epochs;
    }

    /**
     * A finished run whose every text field is {@code payload}: run id, error, config, recipe, quantizer,
     * tensor names, provenance keys and values, times, the parity's twin, the epochs' tensor names.
     */
    static RunRecord crafted(String payload) {
        Recipe recipe = new Recipe(payload, payload, 0.001, payload, 64, 3, 0, payload);
        RunConfig config = new RunConfig(
                payload, payload, "fcnn-small" + payload, "ternary" + payload, payload, "none", recipe, 6000, 0.1, 1);
        QuantizerRecord quantizer = new QuantizerRecord(
                "ternary" + payload, 3, List.of(-1.0, 0.0, 1.0), true, Math.log(3) / Math.log(2), payload);
        TensorMemory tensor = new TensorMemory(
                payload, List.of(10L, 10L), true, 100, 1, 1.58, 400, 24, 30L, 1.2, List.of(20L, 60L, 20L));
        MemoryRecord memory = new MemoryRecord(100, 100, 1, 400, 24, 30L, 20L, 22.0, List.of(tensor));
        return new RunRecord(
                payload,
                RunStatus.FINISHED,
                payload,
                config,
                quantizer,
                memory,
                MODEL,
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

    /** Epochs whose tensor name is {@code payload}. */
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

    /** Writes {@code results/suite/folder/run.json} and its epochs.jsonl; returns the folder. */
    static Path write(Path results, String suite, String folder, RunRecord run, List<EpochRecord> epochs) {
        try {
            Path dir = Files.createDirectories(results.resolve(suite).resolve(folder));
            JSON.writeValue(dir.resolve("run.json").toFile(), run);
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

    /** A study that renders every chart lowbit can: fcnn-small fp32 and ternary, finished. */
    static void writeValidStudy(Path results) {
        write(
                results,
                "quick",
                "fcnn-small.fp32.s1",
                finished("fcnn-small.fp32.s1", quick("fcnn-small", "fp32"), fp32(), 0.875),
                epochs());
        write(
                results,
                "quick",
                "fcnn-small.ternary.s1",
                finished("fcnn-small.ternary.s1", quick("fcnn-small", "ternary"), ternary(), 0.861),
                epochs());
    }
}
