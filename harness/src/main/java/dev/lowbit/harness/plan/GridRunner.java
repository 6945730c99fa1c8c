package dev.lowbit.harness.plan;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.ParityRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.export.PackedModels;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.Discovered;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.plugin.RunClassLoader;
import dev.lowbit.harness.plugin.ThreadContextClassLoader;
import dev.lowbit.harness.scheme.LayerMap;
import dev.lowbit.harness.scheme.RunSchemes;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.store.RunIds;
import dev.lowbit.harness.train.Checkpoint;
import dev.lowbit.harness.train.ProgressReporter;
import dev.lowbit.harness.train.TrainingRunner;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
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

    /** What became of one run of the grid. */
    public enum Outcome {
        /** Trained to FINISHED. */
        TRAINED,
        /** Finished (or diverged) before: not trained again. */
        SKIPPED,
        /** Held by another worker's lock: left to it. */
        BUSY,
        DIVERGED,
        /** Stored as FAILED, or its result could not be stored. */
        FAILED
    }

    /**
     * Hears about each run as the grid goes, e.g. to tell {@code lowbit run --workers} what a worker did even
     * when the worker dies before its end.
     */
    public interface Listener {
        /** Nothing is listening. */
        Listener NONE = new Listener() {};

        /** This worker holds the run's lock and trains it now. */
        default void training(String runId) {}

        /** What became of the run; called once per run of the plan. */
        default void ended(String runId, Outcome outcome) {}
    }

    private final Schemes schemes;
    private final QuantizerRegistry quantizers;
    private final ArchitectureRegistry architectures;
    private final PackedModels packedModels;
    private final PluginCode pluginCode;
    private final Device device;

    /** @param device where every run trains and is evaluated */
    public GridRunner(Schemes schemes, ArchitectureRegistry architectures, Device device) {
        this.schemes = schemes;
        this.quantizers = schemes.quantizers();
        this.architectures = architectures;
        this.packedModels = new PackedModels(schemes, architectures);
        this.pluginCode = new PluginCode(schemes, architectures);
        this.device = device;
    }

    /**
     * Fails with the first unknown id before anything is loaded or trained: dataset, architecture, weight
     * spec (with its estimator), activation spec, layer policy. A scheme whose plugin code fails while it is
     * configured is not the user's input: its runs fail when they start.
     */
    public void validate(List<RunConfig> plan) {
        for (RunConfig run : plan) {
            if (!Datasets.NAMES.contains(run.dataset())) {
                throw new BadInputException("No dataset named '" + run.dataset() + "'. Available: " + Datasets.NAMES
                        + ". Fix the suite's dataset.");
            }
            architectures.get(run.architecture());
            quantizers.canonicalSpec(run.quantizer());
            schemes.canonicalActivations(run.activations());
            layerMap(schemes, run);
        }
    }

    /**
     * The runs of {@code plan} that {@link #run} would not skip as done: never trained, interrupted, FAILED,
     * damaged, or trained with plugin code that changed since. Reads the store only; writes nothing.
     */
    public List<RunConfig> pending(List<RunConfig> plan, ResultStore store) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        return plan.stream()
                .filter(run -> {
                    String runId = RunIds.of(run);
                    return !isDone(store.inspectRun(run.suite(), runId), pluginCode.of(run), runId, quiet);
                })
                .toList();
    }

    /**
     * Trains every unfinished run of {@code plan}.
     *
     * @param data loads the dataset, only if some run still needs training
     * @param provenance what to record as provenance for the loaded data
     * @param parityTolerance the gap to the fp32 twin's best validation accuracy that counts as parity
     */
    public Summary run(
            List<RunConfig> plan,
            ResultStore store,
            Supplier<LabeledImages> data,
            Function<LabeledImages, Map<String, String>> provenance,
            ProgressReporter progress,
            PrintWriter log,
            double parityTolerance) {
        return run(plan, store, data, provenance, progress, log, parityTolerance, Listener.NONE);
    }

    /**
     * {@link #run(List, ResultStore, Supplier, Function, ProgressReporter, PrintWriter, double)}, telling
     * {@code listener} what becomes of each run as it happens.
     */
    public Summary run(
            List<RunConfig> plan,
            ResultStore store,
            Supplier<LabeledImages> data,
            Function<LabeledImages, Map<String, String>> provenance,
            ProgressReporter progress,
            PrintWriter log,
            double parityTolerance,
            Listener listener) {
        validate(plan);
        TrainingRunner runner = new TrainingRunner(progress, device);
        LabeledImages loaded = null;
        Map<String, String> recordedProvenance = null;
        int trained = 0;
        int skipped = 0;
        int busy = 0;
        int diverged = 0;
        int failed = 0;
        for (RunConfig run : plan) {
            String runId = RunIds.of(run);
            Map<String, String> code = pluginCode.of(run);
            if (isDone(store.inspectRun(run.suite(), runId), code, runId, log)) {
                log.println("skip " + runId + " (finished)");
                skipped++;
                listener.ended(runId, Outcome.SKIPPED);
                continue;
            }
            if (loaded == null) {
                // Before the first lock, which creates the run's folder: data that cannot be read is one
                // line and exit 2 with nothing left behind in the results folder.
                loaded = data.get();
                recordedProvenance = provenance.apply(loaded);
            }
            Optional<ResultStore.RunLock> lock;
            try {
                lock = store.tryLock(run.suite(), runId);
            } catch (UncheckedIOException e) {
                // Its folder cannot be written (a file in its place, a full or read-only disk since the
                // upfront check): this run fails, in one line, and the others go on.
                log.println("lowbit: " + runId + " cannot train: " + e.getMessage());
                failed++;
                listener.ended(runId, Outcome.FAILED);
                continue;
            }
            if (lock.isEmpty()) {
                log.println("skip " + runId + " (another worker is training it)");
                busy++;
                listener.ended(runId, Outcome.BUSY);
                continue;
            }
            try (ResultStore.RunLock held = lock.get()) {
                ResultStore.Stored<RunRecord> stored = store.inspectRun(run.suite(), runId);
                if (stored.isDamaged()) {
                    // Under the lock, so no other worker is writing it: a damaged record means the run is
                    // not finished as far as anyone can tell. It trains again; the file stays for a person.
                    Path kept;
                    try {
                        kept = ResultStore.setAside(stored.file());
                    } catch (UncheckedIOException e) {
                        log.println("lowbit: " + runId + " cannot train again: " + e.getMessage());
                        failed++;
                        listener.ended(runId, Outcome.FAILED);
                        continue;
                    }
                    log.println("warning: " + runId + " trains again: its '" + stored.file() + "' is damaged ("
                            + stored.damage() + "); kept as '" + kept.getFileName() + "'");
                } else if (isDone(stored, code, runId, new PrintWriter(Writer.nullWriter()))) {
                    skipped++; // finished by another worker since we looked
                    listener.ended(runId, Outcome.SKIPPED);
                    continue;
                }
                listener.training(runId);
                Map<String, String> runProvenance = new TreeMap<>(recordedProvenance);
                runProvenance.putAll(code);
                RunRecord record =
                        train(runner, run, runId, store, loaded, runProvenance, code, progress, log, parityTolerance);
                try {
                    store.finishRun(record);
                } catch (UncheckedIOException e) {
                    // A full disk, say: this run's result is not stored, so it counts as failed (and is
                    // retried next time); the others go on.
                    // Why a FAILED run failed is on the progress line just before.
                    log.println("lowbit: the " + record.status() + " result of " + runId + " could not be stored: "
                            + e.getMessage()
                            + (record.status() == RunStatus.FAILED
                                    ? ""
                                    : "; its epochs and checkpoint are kept, so the next 'lowbit run' stores it"
                                            + " without training it again"));
                    failed++;
                    listener.ended(runId, Outcome.FAILED);
                    continue;
                }
                switch (record.status()) {
                    case FINISHED -> trained++;
                    case DIVERGED -> diverged++;
                    case FAILED -> failed++;
                }
                listener.ended(
                        runId,
                        switch (record.status()) {
                            case FINISHED -> Outcome.TRAINED;
                            case DIVERGED -> Outcome.DIVERGED;
                            case FAILED -> Outcome.FAILED;
                        });
            }
        }
        fillParity(plan, store, parityTolerance, log);
        return new Summary(trained, skipped, busy, diverged, failed);
    }

    private RunRecord train(
            TrainingRunner runner,
            RunConfig run,
            String runId,
            ResultStore store,
            LabeledImages data,
            Map<String, String> provenance,
            Map<String, String> code,
            ProgressReporter progress,
            PrintWriter log,
            double parityTolerance) {
        TrainingRunner.EpochLog epochLog = store.epochLog(run.suite(), runId);
        String startedAt = Instant.now().toString();
        QuantizerRecord described = null;
        try {
            // The store's own failures (a full disk) end this run as FAILED too, like plugin code's.
            Checkpoint.Restored resumeFrom = null;
            if (resumable(store, run, runId, code, log)) {
                resumeFrom =
                        store.prepareResume(run.suite(), runId, run.recipe().epochs(), log::println);
            } else {
                store.startRun(run.suite(), runId);
            }
            // Before the first epoch, so an unfinished run shows what it is; a resumed run keeps its own.
            store.writeConfig(run, runId);
            store.writePluginCode(run.suite(), runId, code);
            // Everything that runs plugin code is inside this try: whatever it throws fails this run only.
            RunSchemes runSchemes = schemes.forRun(run);
            Quantizer quantizer = runSchemes.weights().quantizer();
            described = describe(runSchemes);
            Architecture architecture = architectures.get(run.architecture());
            // DJL reads the context class loader when its engine starts: start it before it is the plugins'.
            Engine.getInstance();
            TrainingRunner.Outcome outcome;
            try (ThreadContextClassLoader ignored = new ThreadContextClassLoader(
                    RunClassLoader.of(quantizer, architecture, runSchemes.code(), GridRunner.class.getClassLoader()))) {
                outcome = runner.train(
                        run,
                        runId,
                        architecture,
                        quantizer,
                        runSchemes.layerSchemes(),
                        data,
                        new TrainingRunner.RunFiles(
                                store.checkpointFile(run.suite(), runId),
                                store.previousCheckpointFile(run.suite(), runId),
                                resumeFrom,
                                epochLog,
                                reason -> store.restartRun(run.suite(), runId, reason, log::println)),
                        (block, model, memory) -> packedModels
                                .write(block, runId, run, quantizer, model, memory, store.modelFile(run.suite(), runId))
                                .memory());
            }
            store.writePredictions(run.suite(), runId, outcome.test().predictions());
            progress.runEnded(String.format(
                    Locale.ROOT, "%s: test accuracy %.4f", runId, outcome.test().accuracy()));
            return new RunRecord(
                    runId,
                    RunStatus.FINISHED,
                    null,
                    run,
                    described,
                    outcome.memory(),
                    outcome.model(),
                    outcome.epochs().size(),
                    null,
                    parity(store, run, outcome.epochs(), parityTolerance),
                    outcome.bestValidationAccuracy(),
                    outcome.test().accuracy(),
                    outcome.test().loss(),
                    startedAt,
                    Instant.now().toString(),
                    provenance);
        } catch (TrainingRunner.DivergedException e) {
            progress.runEnded(runId + ": DIVERGED, " + e.getMessage());
            List<EpochRecord> epochs = epochLog.read();
            return new RunRecord(
                    runId,
                    RunStatus.DIVERGED,
                    e.getMessage(),
                    run,
                    described,
                    null,
                    null,
                    epochs.size(),
                    e.epoch(),
                    null,
                    best(epochs),
                    Double.NaN,
                    Double.NaN,
                    startedAt,
                    Instant.now().toString(),
                    provenance);
        } catch (Throwable e) {
            // Exceptions and errors alike (a plugin compiled against another api fails with a LinkageError
            // only when the missing method is first called): the run is FAILED, its lock is released, and
            // the grid goes on. A FAILED run is retried by the next 'lowbit run'.
            String error = failure(run, e);
            progress.runEnded(runId + ": FAILED, " + error);
            return new RunRecord(
                    runId,
                    RunStatus.FAILED,
                    error,
                    run,
                    described != null ? described : unresolved(run.quantizer()),
                    null,
                    null,
                    0,
                    null,
                    null,
                    Double.NaN,
                    Double.NaN,
                    Double.NaN,
                    startedAt,
                    Instant.now().toString(),
                    provenance);
        }
    }

    /**
     * Whether the run may continue from its checkpoint (the store then checks there is a usable one):
     * not when it has a result (it is being retrained because its code changed), nor when its plugin
     * code changed since the checkpoint or cannot be told (its plugin-code.json is damaged).
     */
    private static boolean resumable(
            ResultStore store, RunConfig run, String runId, Map<String, String> code, PrintWriter log) {
        if (store.readRun(run.suite(), runId)
                .map(r -> r.status() != RunStatus.FAILED)
                .orElse(false)) {
            return false;
        }
        ResultStore.Stored<Map<String, String>> stored = store.readPluginCode(run.suite(), runId);
        if (stored.isDamaged()) {
            log.println("warning: " + runId + " restarts from scratch: its '" + stored.file() + "' is damaged ("
                    + stored.damage() + "), so whether its plugin code changed since its checkpoint is unknown");
            return false;
        }
        String changed = stored.asOptional()
                .map(recorded -> PluginCode.changes(recorded, code))
                .orElse("");
        if (!changed.isEmpty()) {
            log.println("restart " + runId + " from scratch: its plugin code changed since its checkpoint (" + changed
                    + ")");
            return false;
        }
        return true;
    }

    /**
     * One line saying what failed and where: the cause, the quantizer spec and the jar it came from, the
     * tensor when the quantizer failed on one ({@link QuantizerException}), the architecture and its source.
     */
    private String failure(RunConfig run, Throwable thrown) {
        if (thrown instanceof PluginCodeException) {
            return thrown.getMessage();
        }
        Throwable cause = thrown;
        while (!(cause instanceof QuantizerException) && cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        if (cause instanceof QuantizerException quantizerFailure) {
            return "The " + quantizerFailure.getMessage() + " (quantizer from " + quantizers.origin(run.quantizer())
                    + ")";
        }
        return QuantizerException.describe(thrown) + " (quantizer '" + run.quantizer() + "' from "
                + quantizers.origin(run.quantizer()) + ", architecture '" + run.architecture() + "' from "
                + architectureOrigin(run.architecture()) + ")";
    }

    private String architectureOrigin(String id) {
        return architectures.find(id).map(Discovered::source).orElse("unknown source");
    }

    /** The stored description of a quantizer whose code failed before it could describe itself. */
    private static QuantizerRecord unresolved(String spec) {
        int at = spec.indexOf('@');
        return new QuantizerRecord(
                at < 0 ? spec : spec.substring(0, at),
                0,
                List.of(),
                false,
                Double.NaN,
                at < 0 ? "unknown" : spec.substring(at + 1));
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
                .map(EpochRecord::epoch)
                .findFirst()
                .orElse(null);
        return new ParityRecord(tolerance, twinId, target, epoch, epochs.size());
    }

    /**
     * Adds epochs-to-parity to finished runs whose twin finished after them (in another shard or worker).
     * {@link #run} does it at its end; {@code lowbit run --workers} once more after all its workers ended.
     */
    public static void fillParity(List<RunConfig> plan, ResultStore store, double tolerance, PrintWriter log) {
        for (RunConfig run : plan) {
            String runId = RunIds.of(run);
            Optional<RunRecord> stored = store.readRun(run.suite(), runId);
            if (stored.isPresent()
                    && stored.get().status() == RunStatus.FINISHED
                    && stored.get().parity() == null) {
                ParityRecord parity =
                        parity(store, run, store.epochLog(run.suite(), runId).read(), tolerance);
                if (parity != null) {
                    try {
                        store.finishRun(stored.get().withParity(parity));
                    } catch (UncheckedIOException e) {
                        // The run's result stays as it was; the next grid fills its parity in.
                        log.println("lowbit: cannot add epochs-to-parity to " + runId + ": " + e.getMessage());
                    }
                }
            }
        }
    }

    private static double best(List<EpochRecord> epochs) {
        return epochs.stream()
                .mapToDouble(EpochRecord::validationAccuracy)
                .max()
                .orElse(Double.NaN);
    }

    /** The run's layer policy as a map, or a {@link BadInputException} saying what is wrong with it. */
    static LayerMap layerMap(Schemes schemes, RunConfig run) {
        try {
            return schemes.layerMap(run.layerPolicy());
        } catch (BadInputException e) {
            throw new BadInputException(e.getMessage() + " Fix --layer-policy or the suite's layerPolicy.", e);
        }
    }

    /**
     * A run is done when it finished or diverged (a result) with the plugin code it would train with
     * now; a FAILED run is retried, and so is a run whose plugin jar changed since (said in the log)
     * or whose run.json is damaged.
     */
    private static boolean isDone(
            ResultStore.Stored<RunRecord> stored, Map<String, String> code, String runId, PrintWriter log) {
        if (stored.value() == null || stored.value().status() == RunStatus.FAILED) {
            return false;
        }
        String changed = PluginCode.changes(PluginCode.stored(stored.value().provenance()), code);
        if (!changed.isEmpty()) {
            log.println("retrain " + runId + ": its plugin code changed since it was trained (" + changed + ")");
            return false;
        }
        return true;
    }

    /**
     * The run's schemes as stored in run.json: its quantizer, the estimator it trains with and its activation
     * quantizer with its bits (none at 32 bits).
     */
    public static QuantizerRecord describe(RunSchemes runSchemes) {
        ActivationRecord activations = runSchemes
                .activations()
                .map(a -> new ActivationRecord(a.spec(), a.quantizer().bits()))
                .orElse(ActivationRecord.NONE);
        return describe(runSchemes.weights().quantizer())
                .withScheme(runSchemes.weights().estimator().id(), activations);
    }

    /** The quantizer as stored in run.json, so reports never need the plugin. */
    public static QuantizerRecord describe(Quantizer quantizer) {
        List<Double> values = quantizer
                .alphabet()
                .map(Alphabet::values)
                .map(v -> Arrays.stream(v).boxed().toList())
                .orElse(List.of());
        boolean hasZero = quantizer.alphabet().map(Alphabet::hasZero).orElse(false);
        return new QuantizerRecord(
                quantizer.id(), quantizer.levels(), values, hasZero, quantizer.bitsPerWeight(), quantizer.scaleRule());
    }
}
