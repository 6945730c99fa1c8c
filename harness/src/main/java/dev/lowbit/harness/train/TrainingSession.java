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
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.harness.data.Augmentation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * One model being trained: the architecture built with its quantizer, DJL's Model and Trainer, the
 * optimizer and the stability monitor, and the training step itself. {@link TrainingRunner} (every
 * {@code lowbit run}) and {@code lowbit bench training} both train through here, so the benchmark
 * times exactly the step users get.
 */
public final class TrainingSession implements AutoCloseable {

    /** A batch whose loss exceeds this many times the median of the epoch's earlier batches is a spike. */
    private static final double SPIKE_FACTOR = 3;
    /** Spikes are judged once this many batches give the median. */
    private static final int SPIKE_WARM_UP = 10;

    private final Block block;
    /** The quantizers' draws (stochastic rounding); its state goes into every checkpoint. */
    private final QuantizerRandom random;

    private final ResumableOptimizer optimizer;
    private final Model model;
    private final Trainer trainer;
    private final StabilityMonitor stability;
    private final int batchSize;

    /**
     * What one pass over a list of batches produced.
     *
     * @param loss mean training loss
     * @param accuracy share of training images predicted right (before each step's update)
     * @param lossSpikes batches whose loss exceeded 3x the median of the earlier ones
     * @param dataSeconds time spent building the batches (loading, augmentation, normalisation, copy to the engine)
     */
    public record Fit(double loss, double accuracy, int lossSpikes, double dataSeconds) {}

    /**
     * Builds and initialises the model.
     *
     * @param label the model's name
     * @param recipe optimizer, schedule and batch size
     * @param totalSteps the steps of the whole run (the cosine schedule decays over them)
     * @param schemes what each quantized layer trains with (estimator, activation quantizer, layer map)
     * @param seed seeds the engine's generator, which draws the initial weights, and the quantizers' generator
     * @param device where the model, its trainer and so every batch live
     * @param restore sets restored parameters on the block before the trainer initialises it (or does nothing)
     */
    public TrainingSession(
            String label,
            Recipe recipe,
            int totalSteps,
            Architecture architecture,
            Quantizer quantizer,
            LayerPolicy layerPolicy,
            LayerSchemes schemes,
            Shape exampleShape,
            int classes,
            long seed,
            Device device,
            Consumer<Block> restore) {
        Engine.getInstance().setRandomSeed((int) seed);
        this.block = architecture.build(exampleShape, classes, quantizer, layerPolicy);
        // A quantizer that fails is then reported with the tensor it failed on, and a layer map finds layers by name.
        QuantizedWeight.nameAll(block);
        this.random = new QuantizerRandom(seed);
        // Before anything initialises: a scheme may add parameters (trained values) the checkpoint restores.
        schemes.apply(block, random);
        // He initialisation for weights the architecture left to the harness (the FCNN and CNN use
        // ReLU); an architecture that sets its own initializers keeps them.
        block.setInitializer(
                new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN, XavierInitializer.FactorType.IN, 2),
                p -> p.getType() == Parameter.Type.WEIGHT && p.getInitializer() == null);
        this.optimizer = optimizer(recipe, totalSteps);
        this.batchSize = recipe.batchSize();
        restore.accept(block);
        Model opened = Model.newInstance(label, device);
        Trainer createdTrainer = null;
        try {
            opened.setBlock(block);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer)
                    .optDevices(new Device[] {device});
            createdTrainer = opened.newTrainer(trainingConfig);
            createdTrainer.initialize(new Shape(recipe.batchSize()).addAll(exampleShape));
            this.stability = new StabilityMonitor(block, createdTrainer.getManager());
        } catch (RuntimeException | Error e) {
            // Plugin code may throw errors too (a LinkageError): the native model is closed either way.
            if (createdTrainer != null) {
                createdTrainer.close();
            }
            opened.close();
            throw e;
        }
        this.model = opened;
        this.trainer = createdTrainer;
    }

    /** The model. */
    public Block block() {
        return block;
    }

    /** The trainer. */
    public Trainer trainer() {
        return trainer;
    }

    /** The quantizers' seeded generator, whose state a checkpoint saves and a resumed run restores. */
    public QuantizerRandom random() {
        return random;
    }

    ResumableOptimizer optimizer() {
        return optimizer;
    }

    StabilityMonitor stability() {
        return stability;
    }

    /**
     * Trains on {@code order} in batches of the recipe's size, in order: one step per batch.
     *
     * @param epoch the epoch, for the divergence message
     * @param batchFinished receives every batch's loss
     */
    public Fit train(
            Batches batches,
            int[] order,
            int epoch,
            Augmentation augmentation,
            Random augmentationDraws,
            DoubleConsumer batchFinished) {
        double lossSum = 0;
        long correct = 0;
        int spikes = 0;
        long dataNanos = 0;
        List<Double> sortedLosses = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(from + batchSize, order.length);
            // Everything a batch creates, including the quantized weights, dies with this manager.
            try (NDManager batchScope = trainer.getManager().newSubManager()) {
                long dataStart = System.nanoTime();
                NDArray x = batches.images(batchScope, order, from, to, augmentation, augmentationDraws);
                NDArray y = batches.labels(batchScope, order, from, to);
                dataNanos += System.nanoTime() - dataStart;
                double loss;
                try (GradientCollector tape = trainer.newGradientCollector()) {
                    NDArray logits = trainer.forward(new NDList(x)).singletonOrThrow();
                    NDArray lossArray = trainer.getLoss().evaluate(new NDList(y), new NDList(logits));
                    tape.backward(lossArray);
                    loss = lossArray.getFloat();
                    correct += countCorrect(logits, batches, order, from);
                }
                if (!Double.isFinite(loss)) {
                    throw new TrainingRunner.DivergedException(
                            epoch, "the training loss became " + loss + " in epoch " + epoch);
                }
                if (sortedLosses.size() >= SPIKE_WARM_UP
                        && loss > SPIKE_FACTOR * sortedLosses.get(sortedLosses.size() / 2)) {
                    spikes++;
                }
                int at = Collections.binarySearch(sortedLosses, loss);
                sortedLosses.add(at < 0 ? -at - 1 : at, loss);
                trainer.step();
                lossSum += loss * (to - from);
                batchFinished.accept(loss);
            }
        }
        return new Fit(lossSum / order.length, (double) correct / order.length, spikes, dataNanos / 1e9);
    }

    /**
     * One epoch as {@code lowbit run} trains it: the seeded shuffle and augmentation, a step per
     * batch, the finiteness check of the weights, the stability diagnostics and the validation.
     *
     * @param epoch the epoch number (from 1), which seeds its shuffle and augmentation
     * @param trainIndices the training images
     * @param validationIndices the validation images (of the same {@code batches})
     * @param seed the run's seed
     */
    public Epoch epoch(
            int epoch,
            Batches batches,
            int[] trainIndices,
            int[] validationIndices,
            long seed,
            Augmentation augmentation,
            DoubleConsumer batchFinished) {
        long start = System.nanoTime();
        int[] order = shuffled(trainIndices, seed, epoch);
        Fit fit = train(
                batches,
                order,
                epoch,
                augmentation,
                new Random(epochSeed(seed, epoch) ^ AUGMENTATION_STREAM),
                batchFinished);
        if (!stability.parametersFinite()) {
            throw new TrainingRunner.DivergedException(
                    epoch, "the weights stopped being finite numbers in epoch " + epoch);
        }
        StabilityMonitor.Diagnostics diagnostics = stability.measure();
        Evaluation validation = evaluate(batches, validationIndices);
        EpochRecord record = new EpochRecord(
                epoch,
                fit.loss(),
                fit.accuracy(),
                validation.loss(),
                validation.accuracy(),
                (System.nanoTime() - start) / 1e9,
                (double) optimizer.lastLearningRate(),
                diagnostics.flipRatio(),
                diagnostics.beyondOutermostShare(),
                fit.lossSpikes(),
                diagnostics.levelOccupancy());
        return new Epoch(record, fit);
    }

    /** A finished epoch: its record, and the training pass's own numbers (the time spent on data). */
    public record Epoch(EpochRecord record, Fit fit) {}

    /**
     * The epoch's training order: a shuffle seeded by the run's seed and the epoch alone, so a run
     * resumed at any epoch sees the same order as one that never stopped.
     */
    public static int[] shuffled(int[] indices, long seed, int epoch) {
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

    /** Loss, accuracy and predictions on {@code indices} of {@code batches}, without training. */
    public Evaluation evaluate(Batches batches, int[] indices) {
        return Evaluation.of(
                x -> trainer.evaluate(new NDList(x)).singletonOrThrow(), batches, indices, trainer.getManager());
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

    /** The recipe's optimizer; a cosine schedule decays the rate to zero over {@code totalSteps}. */
    private static ResumableOptimizer optimizer(Recipe recipe, int totalSteps) {
        float peak = (float) recipe.learningRate();
        Tracker rate = switch (recipe.schedule()) {
            case "constant" -> Tracker.fixed(peak);
            case "cosine" ->
                Tracker.cosine()
                        .setBaseValue(peak)
                        .optFinalValue(0f)
                        .setMaxUpdates(totalSteps)
                        .build();
            default -> throw new IllegalArgumentException("Unknown schedule '" + recipe.schedule() + "'");
        };
        ResumableOptimizer.Kind kind = switch (recipe.optimizer()) {
            case "adam" -> ResumableOptimizer.Kind.ADAM;
            case "sgd" -> ResumableOptimizer.Kind.SGD;
            default -> throw new IllegalArgumentException("Unknown optimizer '" + recipe.optimizer() + "'");
        };
        return ResumableOptimizer.of(kind, rate, (float) recipe.weightDecay());
    }

    @Override
    public void close() {
        try {
            stability.close();
        } finally {
            try {
                trainer.close();
            } finally {
                model.close();
            }
        }
    }
}
