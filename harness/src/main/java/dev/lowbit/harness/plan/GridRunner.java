package dev.lowbit.harness.plan;

import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.ParityRecord;
import dev.lowbit.api.result.QuantizerRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.api.result.RunStatus;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.export.PackedModels;
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
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs a plan: finished runs are skipped, a run another worker holds is left to it, an interrupted
 * run continues from its checkpoint, and a run that diverges or fails is stored as such while the
 * rest of the grid goes on.
 */
public final class GridRunner {

    /** How a grid went. */
    public record Summary(int trained, int skipped, int busy, int diverged, int failed) {}

    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;
    private final PackedModels packedModels;

    public GridRunner(QuantizerRegistry quantizers, ArchitectureRegistry architectures) {
        this.quantizers = quantizers;
        this.architectures = architectures;
        this.packedModels = new PackedModels(quantizers, architectures);
    }

    /** Fails with the first unknown id before anything is loaded or trained. */
    public void validate(List<RunConfig> plan) {
        for (RunConfig run : plan) {
            if (!Datasets.NAMES.contains(run.dataset())) {
                throw new BadInputException("No dataset named '" + run.dataset() + "'. Available: " + Datasets.NAMES
                        + ". Fix the suite's dataset.");
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
     * @param parityTolerance the gap to the fp32 twin's best validation accuracy that counts as parity
     */
    public Summary run(List<RunConfig> plan, ResultStore store, Supplier<LabeledImages> data,
            Function<LabeledImages, Map<String, String>> provenance, ProgressReporter progress, PrintWriter log,
            double parityTolerance) {
        validate(plan);
        TrainingRunner runner = new TrainingRunner(progress);
        LabeledImages loaded = null;
        Map<String, String> recordedProvenance = null;
        int trained = 0;
        int skipped = 0;
        int busy = 0;
        int diverged = 0;
        int failed = 0;
        for (RunConfig run : plan) {
            String runId = RunIds.of(run);
            if (isDone(store, run, runId)) {
                log.println("skip " + runId + " (finished)");
                skipped++;
                continue;
            }
            Optional<ResultStore.RunLock> lock = store.tryLock(run.suite(), runId);
            if (lock.isEmpty()) {
                log.println("skip " + runId + " (another worker is training it)");
                busy++;
                continue;
            }
            try (ResultStore.RunLock held = lock.get()) {
                if (isDone(store, run, runId)) { // finished by another worker since we looked
                    skipped++;
                    continue;
                }
                if (loaded == null) {
                    loaded = data.get();
                    recordedProvenance = provenance.apply(loaded);
                }
                RunRecord record = train(runner, run, runId, store, loaded, recordedProvenance, progress, parityTolerance);
                switch (record.status()) {
                    case FINISHED -> trained++;
                    case DIVERGED -> diverged++;
                    case FAILED -> failed++;
                }
                store.finishRun(record);
            }
        }
        fillParity(plan, store, parityTolerance);
        return new Summary(trained, skipped, busy, diverged, failed);
    }

    private RunRecord train(TrainingRunner runner, RunConfig run, String runId, ResultStore store, LabeledImages data,
            Map<String, String> provenance, ProgressReporter progress, double parityTolerance) {
        Quantizer quantizer = quantizers.resolve(run.quantizer());
        Architecture architecture = architectures.get(run.architecture());
        java.nio.file.Path checkpoint = store.checkpointFile(run.suite(), runId);
        if (!java.nio.file.Files.isRegularFile(checkpoint)) {
            store.startRun(run.suite(), runId);
        }
        // Before the first epoch, so an unfinished run shows what it is; a resumed run keeps its own.
        store.writeConfig(run, runId);
        TrainingRunner.EpochLog epochLog = store.epochLog(run.suite(), runId);
        String startedAt = Instant.now().toString();
        try {
            TrainingRunner.Outcome outcome = runner.train(run, runId, architecture, quantizer, data,
                    new TrainingRunner.RunFiles(checkpoint, epochLog),
                    (block, model, memory) -> packedModels.write(block, runId, run, quantizer, model, memory,
                            store.modelFile(run.suite(), runId)).memory());
            store.writePredictions(run.suite(), runId, outcome.test().predictions());
            progress.runEnded(String.format(Locale.ROOT, "%s: test accuracy %.4f", runId, outcome.test().accuracy()));
            return new RunRecord(runId, RunStatus.FINISHED, null, run, describe(quantizer), outcome.memory(),
                    outcome.model(), outcome.epochs().size(), null,
                    parity(store, run, outcome.epochs(), parityTolerance), outcome.bestValidationAccuracy(),
                    outcome.test().accuracy(), outcome.test().loss(), startedAt, Instant.now().toString(), provenance);
        } catch (TrainingRunner.DivergedException e) {
            progress.runEnded(runId + ": DIVERGED, " + e.getMessage());
            List<EpochRecord> epochs = epochLog.read();
            return new RunRecord(runId, RunStatus.DIVERGED, e.getMessage(), run, describe(quantizer), null, null,
                    epochs.size(), e.epoch(), null, best(epochs), Double.NaN, Double.NaN, startedAt,
                    Instant.now().toString(), provenance);
        } catch (RuntimeException e) {
            String error = e.getClass().getSimpleName() + ": " + e.getMessage();
            progress.runEnded(runId + ": FAILED, " + error);
            return new RunRecord(runId, RunStatus.FAILED, error, run, describe(quantizer), null, null, 0, null, null,
                    Double.NaN, Double.NaN, Double.NaN, startedAt, Instant.now().toString(), provenance);
        }
    }

    /**
     * Epochs-to-parity against the stored fp32 twin, or null for an fp32 run or while the twin is
     * not finished (it may train later or in another shard; {@link #fillParity} catches up).
     */
    static ParityRecord parity(ResultStore store, RunConfig run, List<EpochRecord> epochs, double tolerance) {
        RunConfig twin = run.twin();
        if (twin.equals(run)) {
            return null;
        }
        String twinId = RunIds.of(twin);
        Optional<RunRecord> twinRecord = store.readRun(twin.suite(), twinId);
        if (twinRecord.isEmpty() || twinRecord.get().status() != RunStatus.FINISHED) {
            return null;
        }
        double target = best(store.epochLog(twin.suite(), twinId).read());
        Integer epoch = epochs.stream()
                .filter(e -> e.validationAccuracy() >= target - tolerance - 1e-12)
                .map(EpochRecord::epoch).findFirst().orElse(null);
        return new ParityRecord(tolerance, twinId, target, epoch, epochs.size());
    }

    /** Adds epochs-to-parity to finished runs whose twin finished after them. */
    private static void fillParity(List<RunConfig> plan, ResultStore store, double tolerance) {
        for (RunConfig run : plan) {
            String runId = RunIds.of(run);
            Optional<RunRecord> stored = store.readRun(run.suite(), runId);
            if (stored.isPresent() && stored.get().status() == RunStatus.FINISHED && stored.get().parity() == null) {
                ParityRecord parity = parity(store, run, store.epochLog(run.suite(), runId).read(), tolerance);
                if (parity != null) {
                    store.finishRun(stored.get().withParity(parity));
                }
            }
        }
    }

    private static double best(List<EpochRecord> epochs) {
        return epochs.stream().mapToDouble(EpochRecord::validationAccuracy).max().orElse(Double.NaN);
    }

    /** The run's layer policy, or a {@link BadInputException} listing those that exist. */
    static LayerPolicy layerPolicy(RunConfig run) {
        try {
            return LayerPolicy.byId(run.layerPolicy());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(e.getMessage() + " Fix --layer-policy or the suite's layerPolicy.");
        }
    }

    /** A run is done when it finished or diverged (a result); a FAILED run is retried. */
    private static boolean isDone(ResultStore store, RunConfig run, String runId) {
        return store.readRun(run.suite(), runId)
                .map(r -> r.status() == RunStatus.FINISHED || r.status() == RunStatus.DIVERGED).orElse(false);
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
