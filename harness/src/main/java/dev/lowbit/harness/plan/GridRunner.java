package dev.lowbit.harness.plan;

import dev.lowbit.api.result.QuantizerRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.api.result.RunStatus;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.FashionMnist;
import dev.lowbit.harness.export.PackedModels;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.store.RunIds;
import dev.lowbit.harness.train.ProgressReporter;
import dev.lowbit.harness.train.TrainingRunner;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a plan: finished runs are skipped, each other run trains and is stored, and a failing run
 * is stored as FAILED while the rest of the grid goes on.
 */
public final class GridRunner {

    /** How a grid went. */
    public record Summary(int trained, int skipped, int failed) {}

    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;

    private final PackedModels packedModels;

    public GridRunner(QuantizerRegistry quantizers, ArchitectureRegistry architectures) {
        this.quantizers = quantizers;
        this.architectures = architectures;
        this.packedModels = new PackedModels(quantizers, architectures);
    }

    /** Fails with every unknown id before anything is loaded or trained. */
    public void validate(List<RunConfig> plan) {
        for (RunConfig run : plan) {
            if (!FashionMnist.NAME.equals(run.dataset())) {
                throw new BadInputException("Unknown dataset '" + run.dataset() + "'. Available: ["
                        + FashionMnist.NAME + "]. Fix the suite's dataset.");
            }
            architectures.get(run.architecture());
            quantizers.resolve(run.quantizer());
            layerPolicy(run);
        }
    }

    /**
     * Trains every unfinished run of {@code plan}.
     *
     * @param data loads the dataset, only if some run still needs training
     * @param provenance what to record as provenance for the loaded data
     */
    public Summary run(List<RunConfig> plan, ResultStore store, Supplier<LabeledImages> data,
            Function<LabeledImages, Map<String, String>> provenance, ProgressReporter progress, PrintWriter log) {
        validate(plan);
        TrainingRunner runner = new TrainingRunner(progress);
        LabeledImages loaded = null;
        Map<String, String> recordedProvenance = null;
        int trained = 0;
        int skipped = 0;
        int failed = 0;
        for (RunConfig run : plan) {
            String runId = RunIds.of(run);
            if (finishedCleanly(store, run, runId)) {
                log.println("skip " + runId + " (finished)");
                skipped++;
                continue;
            }
            if (loaded == null) {
                loaded = data.get();
                recordedProvenance = provenance.apply(loaded);
            }
            Quantizer quantizer = quantizers.resolve(run.quantizer());
            Architecture architecture = architectures.get(run.architecture());
            store.startRun(run.suite(), runId);
            String startedAt = Instant.now().toString();
            RunRecord record;
            try {
                TrainingRunner.Outcome outcome = runner.train(run, runId, architecture, quantizer, loaded,
                        epoch -> store.appendEpoch(run.suite(), runId, epoch),
                        (block, model, memory) -> {
                            store.saveCheckpoint(run.suite(), runId, block);
                            return packedModels.write(block, runId, run, quantizer, model, memory,
                                    store.modelFile(run.suite(), runId)).memory();
                        });
                store.writePredictions(run.suite(), runId, outcome.test().predictions());
                record = new RunRecord(runId, RunStatus.FINISHED, null, run, describe(quantizer), outcome.memory(),
                        outcome.model(), outcome.epochs().size(), outcome.bestValidationAccuracy(),
                        outcome.test().accuracy(), outcome.test().loss(), startedAt, Instant.now().toString(),
                        recordedProvenance);
                progress.runEnded(String.format(Locale.ROOT, "%s: test accuracy %.4f", runId, outcome.test().accuracy()));
                trained++;
            } catch (RuntimeException e) {
                String error = e.getClass().getSimpleName() + ": " + e.getMessage();
                record = new RunRecord(runId, RunStatus.FAILED, error, run, describe(quantizer), null, null,
                        0, Double.NaN, Double.NaN, Double.NaN, startedAt, Instant.now().toString(), recordedProvenance);
                progress.runEnded(runId + ": FAILED, " + error);
                failed++;
            }
            store.finishRun(record);
        }
        return new Summary(trained, skipped, failed);
    }

    /** The run's layer policy, or a {@link BadInputException} listing those that exist. */
    static LayerPolicy layerPolicy(RunConfig run) {
        try {
            return LayerPolicy.byId(run.layerPolicy());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage() + " Fix --layer-policy or the suite's layerPolicy.");
        }
    }

    /** A FAILED run is retried on the next invocation; only FINISHED runs are skipped. */
    private static boolean finishedCleanly(ResultStore store, RunConfig run, String runId) {
        return store.readRun(run.suite(), runId).map(r -> r.status() == RunStatus.FINISHED).orElse(false);
    }

    /** The quantizer as stored in run.json, so reports never need the plugin. */
    public static QuantizerRecord describe(Quantizer quantizer) {
        List<Double> values = quantizer.alphabet().map(Alphabet::values)
                .map(v -> Arrays.stream(v).boxed().toList()).orElse(List.of());
        boolean hasZero = quantizer.alphabet().map(Alphabet::hasZero).orElse(false);
        return new QuantizerRecord(quantizer.id(), quantizer.levels(), values, hasZero, quantizer.bitsPerWeight(),
                quantizer.scaleRule());
    }
}
