package dev.lowbit.harness.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.XavierInitializer;
import ai.djl.training.loss.Loss;
import ai.djl.training.tracker.Tracker;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.ModelRecord;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.data.Augmentation;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.data.ValidationSplit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * Trains one run on DJL's Trainer: quantization-aware training with fp32 shadow weights (the
 * quantized blocks apply the straight-through estimator), validation and stability diagnostics
 * after every epoch, a checkpoint after every epoch, and the test set once at the end. A run whose
 * checkpoint exists continues from it.
 */
public final class TrainingRunner {

    private final ProgressReporter progress;

    public TrainingRunner(ProgressReporter progress) {
        this.progress = progress;
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
            return epochs.stream().mapToDouble(EpochRecord::validationAccuracy).max().orElse(0);
        }
    }

    /** Stores a trained model before it is closed (packed file) and measures its packed tiers. */
    @FunctionalInterface
    public interface ModelSink {
        /**
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

        /** Drops every epoch after the first {@code count}: they were trained after the checkpoint. */
        void keepFirst(int count);

        /** Appends a finished epoch, durably. */
        void append(EpochRecord epoch);
    }

    /** Where a run keeps what survives a crash. */
    public record RunFiles(Path checkpoint, EpochLog epochLog) {}

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
     * @param quantizer the quantizer of every quantized weight tensor
     * @param data the dataset
     * @param files the checkpoint, the epochs already stored with it, and where new epochs go
     * @param persist stores the trained model before it is closed
     */
    public Outcome train(RunConfig config, String label, Architecture architecture, Quantizer quantizer,
            LabeledImages data, RunFiles files, ModelSink persist) {
        Recipe recipe = config.recipe();
        ValidationSplit split = ValidationSplit.stratified(
                data.train().labels(), config.trainLimit(), config.validationShare(), config.seed());
        Batches train = Batches.normalisedBy(data.train(), split.train());
        Batches test = train.over(data.test());
        ImageSet images = data.train();
        Shape exampleShape = new Shape(images.channels(), images.rows(), images.cols());
        int batchesPerEpoch = (split.train().length + recipe.batchSize() - 1) / recipe.batchSize();
        Augmentation augmentation = Augmentation.named(recipe.augmentation());

        // Seeds the engine's generator, which draws the initial weights.
        Engine.getInstance().setRandomSeed((int) config.seed());
        Block block = architecture.build(exampleShape, data.classes(), quantizer, LayerPolicy.byId(config.layerPolicy()));
        // He initialisation for weights the architecture left to the harness (the FCNN and CNN use
        // ReLU); an architecture that sets its own initializers keeps them.
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), p -> p.getType() == Parameter.Type.WEIGHT && p.getInitializer() == null);
        ResumableOptimizer optimizer = optimizer(recipe, batchesPerEpoch * recipe.epochs());
        Checkpoint.Restored restored = readCheckpoint(files.checkpoint());
        if (restored != null) {
            restored.initialize(block);
        }
        try (Model model = Model.newInstance(label, Device.cpu())) {
            model.setBlock(block);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer)
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(trainingConfig);
                    StabilityMonitor stability = new StabilityMonitor(block, trainer.getManager())) {
                trainer.initialize(new Shape(recipe.batchSize()).addAll(exampleShape));
                MemoryRecord memory = MemoryAccounting.of(block);
                List<EpochRecord> epochs = new ArrayList<>(files.epochLog().read());
                int resumedAfter = restored == null ? 0 : restored.epoch();
                if (resumedAfter > epochs.size()) {
                    throw new UncheckedIOException(new IOException("Cannot resume from " + files.checkpoint()
                            + ": it was taken after epoch " + resumedAfter + " but only " + epochs.size()
                            + " epochs are stored"));
                }
                if (restored != null) {
                    restoreOptimizer(restored, block, optimizer, files.checkpoint());
                }
                epochs.subList(resumedAfter, epochs.size()).clear();
                files.epochLog().keepFirst(resumedAfter);
                stability.remember();
                progress.runStarted(label, recipe.epochs(), batchesPerEpoch);
                if (resumedAfter > 0) {
                    progress.resumed(resumedAfter);
                }

                for (int epoch = resumedAfter + 1; epoch <= recipe.epochs(); epoch++) {
                    long start = System.nanoTime();
                    int[] order = shuffled(split.train(), config.seed(), epoch);
                    Fit fit = trainEpoch(trainer, train, order, recipe.batchSize(), epoch, augmentation,
                            new Random(epochSeed(config.seed(), epoch) ^ AUGMENTATION_STREAM));
                    if (!stability.parametersFinite()) {
                        throw new DivergedException(epoch, "the weights stopped being finite numbers in epoch " + epoch);
                    }
                    StabilityMonitor.Diagnostics diagnostics = stability.measure();
                    Evaluation validation = evaluate(trainer, train, split.validation());
                    EpochRecord record = new EpochRecord(epoch, fit.loss(), fit.accuracy(), validation.loss(),
                            validation.accuracy(), (System.nanoTime() - start) / 1e9,
                            (double) optimizer.lastLearningRate(), diagnostics.flipRatio(),
                            diagnostics.beyondOutermostShare(), fit.lossSpikes(), diagnostics.levelOccupancy());
                    epochs.add(record);
                    files.epochLog().append(record);
                    // After the epoch line: a crash in between redoes this epoch, identically.
                    Checkpoint.save(files.checkpoint(), epoch, block, optimizer);
                    progress.epochFinished(record);
                }
                Evaluation finalTest = evaluate(trainer, test, IntStream.range(0, data.test().size()).toArray());
                ModelRecord modelRecord = new ModelRecord(Arrays.stream(exampleShape.getShape()).boxed().toList(),
                        data.classes(), train.mean(), train.std());
                MemoryRecord stored = persist.persist(block, modelRecord, memory);
                return new Outcome(epochs, finalTest, stored, modelRecord);
            }
        }
    }

    /** The run's checkpoint, or null for a fresh start. */
    private static Checkpoint.Restored readCheckpoint(Path checkpoint) {
        if (!Files.isRegularFile(checkpoint)) {
            return null;
        }
        try {
            return Checkpoint.read(checkpoint);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    private static void restoreOptimizer(Checkpoint.Restored restored, Block block, ResumableOptimizer optimizer,
            Path checkpoint) {
        try {
            restored.restore(block, optimizer);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot resume from " + checkpoint + ": " + e.getMessage(), e);
        }
    }

    private record Fit(double loss, double accuracy, int lossSpikes) {}

    /** A batch whose loss exceeds this many times the median of the epoch's earlier batches is a spike. */
    private static final double SPIKE_FACTOR = 3;
    /** Spikes are judged once this many batches give the median. */
    private static final int SPIKE_WARM_UP = 10;

    private Fit trainEpoch(Trainer trainer, Batches batches, int[] order, int batchSize, int epoch,
            Augmentation augmentation, Random augmentationDraws) {
        double lossSum = 0;
        long correct = 0;
        int spikes = 0;
        List<Double> sortedLosses = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(from + batchSize, order.length);
            // Everything a batch creates, including the quantized weights, dies with this manager.
            try (NDManager batchScope = trainer.getManager().newSubManager()) {
                NDArray x = batches.images(batchScope, order, from, to, augmentation, augmentationDraws);
                NDArray y = batches.labels(batchScope, order, from, to);
                double loss;
                try (GradientCollector tape = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray lossArray = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                    tape.backward(lossArray);
                    loss = lossArray.getFloat();
                    correct += countCorrect(logits, batches, order, from);
                }
                if (!Double.isFinite(loss)) {
                    throw new DivergedException(epoch, "the training loss became " + loss + " in epoch " + epoch);
                }
                if (sortedLosses.size() >= SPIKE_WARM_UP && loss > SPIKE_FACTOR * sortedLosses.get(sortedLosses.size() / 2)) {
                    spikes++;
                }
                int at = java.util.Collections.binarySearch(sortedLosses, loss);
                sortedLosses.add(at < 0 ? -at - 1 : at, loss);
                trainer.step();
                lossSum += loss * (to - from);
                progress.batchFinished(loss);
            }
        }
        return new Fit(lossSum / order.length, (double) correct / order.length, spikes);
    }

    private static Evaluation evaluate(Trainer trainer, Batches batches, int[] indices) {
        return Evaluation.of(x -> trainer.evaluate(new NDList(x)).singletonOrThrow(), batches, indices,
                trainer.getManager());
    }

    private static long countCorrect(NDArray logits, Batches batches, int[] order, int from) {
        long[] predicted = logits.argMax(1).toLongArray();
        long correct = 0;
        for (int i = 0; i < predicted.length; i++) {
            if (predicted[i] == batches.label(order[from + i])) {
                correct++;
            }
        }
        return correct;
    }

    /**
     * The epoch's training order: a shuffle seeded by the run's seed and the epoch alone, so a run
     * resumed at any epoch sees the same order as one that never stopped.
     */
    private static int[] shuffled(int[] indices, long seed, int epoch) {
        int[] order = indices.clone();
        Random random = new Random(epochSeed(seed, epoch));
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return order;
    }

    /** Separates the augmentation draws from the shuffle's, which share the epoch seed. */
    private static final long AUGMENTATION_STREAM = 0x5DEECE66DL;

    private static long epochSeed(long seed, int epoch) {
        return seed * 1_000_003L + epoch;
    }

    /** The recipe's optimizer; a cosine schedule decays the rate to zero over {@code totalSteps}. */
    private static ResumableOptimizer optimizer(Recipe recipe, int totalSteps) {
        float peak = (float) recipe.learningRate();
        Tracker rate = switch (recipe.schedule()) {
            case "constant" -> Tracker.fixed(peak);
            case "cosine" -> Tracker.cosine().setBaseValue(peak).optFinalValue(0f).setMaxUpdates(totalSteps).build();
            default -> throw new IllegalArgumentException("Unknown schedule '" + recipe.schedule() + "'");
        };
        ResumableOptimizer.Kind kind = switch (recipe.optimizer()) {
            case "adam" -> ResumableOptimizer.Kind.ADAM;
            case "sgd" -> ResumableOptimizer.Kind.SGD;
            default -> throw new IllegalArgumentException("Unknown optimizer '" + recipe.optimizer() + "'");
        };
        return ResumableOptimizer.of(kind, rate, (float) recipe.weightDecay());
    }
}
