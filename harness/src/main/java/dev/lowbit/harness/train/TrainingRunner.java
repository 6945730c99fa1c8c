package dev.lowbit.harness.train;

import ai.djl.Device;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.data.Augmentation;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.data.ValidationSplit;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * Trains one run on DJL's Trainer: quantization-aware training with fp32 shadow weights (the
 * quantized blocks apply the straight-through estimator), validation and stability diagnostics
 * after every epoch, a checkpoint after every epoch, and the test set once at the end. A run whose
 * checkpoint exists continues from it.
 */
public final class TrainingRunner {

    private final ProgressReporter progress;
    private final Device device;

    /** @param device where the model trains and is evaluated */
    public TrainingRunner(ProgressReporter progress, Device device) {
        this.progress = progress;
        this.device = device;
    }

    /**
     * What a finished training produced.
     *
     * @param epochs every epoch's metrics, resumed ones included
     * @param test the final test-set evaluation, with every prediction
     * @param memory parameter counts and memory tiers, packed ones included
     * @param model the input shape and normalisation the model needs
     */
    public record Outcome(List<EpochRecord> epochs, Evaluation test, MemoryRecord memory, ModelRecord model) {

        /** The best validation accuracy over all epochs. */
        public double bestValidationAccuracy() {
            return epochs.stream()
                    .mapToDouble(EpochRecord::validationAccuracy)
                    .max()
                    .orElse(0);
        }
    }

    /** Stores a trained model before it is closed (packed file) and measures its packed tiers. */
    @FunctionalInterface
    public interface ModelSink {
        /**
         * Stores the trained model and measures its packed tiers.
         *
         * @param block the trained model
         * @param model its input shape and normalisation
         * @param memory its fp32 and ideal tiers
         * @return the tiers with the packed ones measured
         */
        MemoryRecord persist(Block block, ModelRecord model, MemoryRecord memory);
    }

    /** A run's epoch log (epochs.jsonl): what survives a crash besides the checkpoint. */
    public interface EpochLog {
        /** The epochs stored so far, in order. */
        List<EpochRecord> read();

        /** Appends a finished epoch, durably. */
        void append(EpochRecord epoch);
    }

    /**
     * Where a run keeps what survives a crash, and where it starts.
     *
     * @param checkpoint the latest checkpoint, written after every epoch
     * @param previousCheckpoint where the checkpoint it replaces is kept
     * @param resumeFrom the checkpoint to continue from, already read and checked against the log; null to
     *     start from scratch
     * @param epochLog the epochs stored so far: exactly those {@code resumeFrom} covers
     * @param restart called when {@code resumeFrom} turns out not to fit the model (with the reason), before
     *     any epoch is trained: it clears the run's files so the run starts from scratch
     */
    public record RunFiles(
            Path checkpoint,
            Path previousCheckpoint,
            Checkpoint.Restored resumeFrom,
            EpochLog epochLog,
            Consumer<String> restart) {}

    /** The loss or the weights stopped being finite numbers in {@link #epoch}. */
    public static final class DivergedException extends RuntimeException {
        private final int epoch;

        public DivergedException(int epoch, String message) {
            super(message);
            this.epoch = epoch;
        }

        /** The epoch in which training diverged. */
        public int epoch() {
            return epoch;
        }
    }

    /**
     * Trains (or resumes) and evaluates one run.
     *
     * @param config the run's config
     * @param label a short name for progress output
     * @param architecture builds the model
     * @param quantizer the quantizer the architecture builds every quantized layer with
     * @param schemes what each quantized layer then trains with (estimator, activations, layer map)
     * @param data the dataset
     * @param files the checkpoint, the epochs already stored with it, and where new epochs go
     * @param persist stores the trained model before it is closed
     */
    public Outcome train(
            RunConfig config,
            String label,
            Architecture architecture,
            Quantizer quantizer,
            LayerSchemes schemes,
            LabeledImages data,
            RunFiles files,
            ModelSink persist) {
        Recipe recipe = config.recipe();
        ValidationSplit split = ValidationSplit.stratified(
                data.train().labels(), config.trainLimit(), config.validationShare(), config.seed());
        Batches train = Batches.normalisedBy(data.train(), split.train());
        Batches test = train.over(data.test());
        ImageSet images = data.train();
        Shape exampleShape = new Shape(images.channels(), images.rows(), images.cols());
        int batchesPerEpoch = (split.train().length + recipe.batchSize() - 1) / recipe.batchSize();
        Augmentation augmentation = Augmentation.named(recipe.augmentation());

        Checkpoint.Restored restored = files.resumeFrom();
        TrainingSession opened;
        try {
            opened = open(
                    label,
                    recipe,
                    batchesPerEpoch * recipe.epochs(),
                    architecture,
                    quantizer,
                    schemes,
                    config,
                    exampleShape,
                    data.classes(),
                    restored);
        } catch (Checkpoint.MismatchException e) {
            // Nothing was trained yet: the run starts from scratch rather than failing on every rerun.
            files.restart().accept(e.getMessage());
            restored = null;
            opened = open(
                    label,
                    recipe,
                    batchesPerEpoch * recipe.epochs(),
                    architecture,
                    quantizer,
                    schemes,
                    config,
                    exampleShape,
                    data.classes(),
                    null);
        }
        try (TrainingSession session = opened) {
            Block block = session.block();
            MemoryRecord memory = MemoryAccounting.of(block);
            List<EpochRecord> epochs = new ArrayList<>(files.epochLog().read());
            int resumedAfter = restored == null ? 0 : restored.epoch();
            if (resumedAfter != epochs.size()) {
                // The store trims the log to the checkpoint before a run starts; anything else is a bug.
                throw new IllegalStateException(
                        "Cannot resume from " + files.checkpoint() + ": it was taken after epoch " + resumedAfter
                                + " but " + epochs.size() + " epochs are stored");
            }
            session.stability().remember();
            progress.runStarted(label, recipe.epochs(), batchesPerEpoch);
            if (resumedAfter > 0) {
                progress.resumed(resumedAfter);
            }

            for (int epoch = resumedAfter + 1; epoch <= recipe.epochs(); epoch++) {
                EpochRecord record = session.epoch(
                                epoch,
                                train,
                                split.train(),
                                split.validation(),
                                config.seed(),
                                augmentation,
                                progress::batchFinished)
                        .record();
                epochs.add(record);
                files.epochLog().append(record);
                // After the epoch line: a crash in between redoes this epoch, identically.
                Checkpoint.save(
                        files.checkpoint(),
                        files.previousCheckpoint(),
                        epoch,
                        block,
                        session.optimizer(),
                        session.random().state());
                progress.epochFinished(record);
            }
            Evaluation finalTest = session.evaluate(
                    test, IntStream.range(0, data.test().size()).toArray());
            ModelRecord modelRecord = new ModelRecord(
                    Arrays.stream(exampleShape.getShape()).boxed().toList(), data.classes(), train.mean(), train.std());
            MemoryRecord stored = persist.persist(block, modelRecord, memory);
            return new Outcome(epochs, finalTest, stored, modelRecord);
        }
    }

    /**
     * Builds the model, starting at {@code restored} when given (its parameters and the optimizer's
     * state).
     *
     * @throws Checkpoint.MismatchException when the checkpoint does not fit the model; the model is closed
     */
    private TrainingSession open(
            String label,
            Recipe recipe,
            int totalSteps,
            Architecture architecture,
            Quantizer quantizer,
            LayerSchemes schemes,
            RunConfig config,
            Shape exampleShape,
            int classes,
            Checkpoint.Restored restored) {
        TrainingSession session;
        try {
            session = new TrainingSession(
                    label,
                    recipe,
                    totalSteps,
                    architecture,
                    quantizer,
                    builtPolicy(config.layerPolicy()),
                    schemes,
                    exampleShape,
                    classes,
                    config.seed(),
                    device,
                    block -> {
                        if (restored != null) {
                            restored.initialize(block);
                        }
                    });
        } catch (RuntimeException e) {
            throw mismatchIn(e).orElseThrow(() -> e);
        }
        if (restored != null) {
            try {
                restored.restore(session.block(), session.optimizer());
                // A checkpoint from before format 4 has no state: that run never drew, so its seed's start is right.
                restored.generatorState().ifPresent(session.random()::restore);
            } catch (RuntimeException e) {
                session.close();
                throw e;
            }
        }
        return session;
    }

    /**
     * The policy the architecture builds with: a preset as named; a layer map ({@code first=k17;last=k17})
     * builds every layer quantized and then sets each layer's scheme ({@link LayerSchemes}).
     */
    public static LayerPolicy builtPolicy(String layerPolicy) {
        return layerPolicy.contains("=") ? LayerPolicy.ALL : LayerPolicy.byId(layerPolicy);
    }

    /** The checkpoint mismatch behind {@code thrown}, if any: the engine may wrap an initializer's exception. */
    private static Optional<Checkpoint.MismatchException> mismatchIn(Throwable thrown) {
        for (Throwable cause = thrown; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof Checkpoint.MismatchException mismatch) {
                return Optional.of(mismatch);
            }
        }
        return Optional.empty();
    }
}
