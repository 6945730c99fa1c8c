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
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.ModelRecord;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.data.ValidationSplit;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;

/**
 * Trains one run on DJL's Trainer: quantization-aware training with fp32 shadow weights (the
 * quantized blocks apply the straight-through estimator), validation after every epoch, and the
 * test set once at the end.
 */
public final class TrainingRunner {

    private final ProgressReporter progress;

    public TrainingRunner(ProgressReporter progress) {
        this.progress = progress;
    }

    /**
     * What a finished training produced.
     *
     * @param epochs every epoch's metrics
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

    /** Stores a trained model before it is closed (checkpoint and packed file) and measures its packed tiers. */
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

    /** Thrown when the loss stops being a finite number. */
    public static final class DivergedException extends RuntimeException {
        public DivergedException(String message) {
            super(message);
        }
    }

    /**
     * Trains and evaluates one run.
     *
     * @param config the run's config
     * @param label a short name for progress output
     * @param architecture builds the model
     * @param quantizer the quantizer of every quantized weight tensor
     * @param data the dataset
     * @param onEpoch receives every finished epoch (the store appends it to epochs.jsonl)
     * @param persist stores the trained model before it is closed
     */
    public Outcome train(RunConfig config, String label, Architecture architecture, Quantizer quantizer,
            LabeledImages data, Consumer<EpochRecord> onEpoch, ModelSink persist) {
        ValidationSplit split = ValidationSplit.stratified(
                data.train().labels(), config.trainLimit(), config.validationShare(), config.seed());
        Batches train = Batches.normalisedBy(data.train(), split.train());
        Batches test = train.over(data.test());
        int[] allTest = java.util.stream.IntStream.range(0, data.test().size()).toArray();
        Recipe recipe = config.recipe();
        ImageSet images = data.train();
        Shape exampleShape = new Shape(images.channels(), images.rows(), images.cols());

        // Seeds the engine's generator, which draws the initial weights.
        Engine.getInstance().setRandomSeed((int) config.seed());
        Block block = architecture.build(exampleShape, data.classes(), quantizer,
                dev.lowbit.api.spi.LayerPolicy.byId(config.layerPolicy()));
        // He initialisation for weights the architecture left to the harness (the FCNN and CNN use
        // ReLU); an architecture that sets its own initializers keeps them.
        block.setInitializer(new XavierInitializer(XavierInitializer.RandomType.GAUSSIAN,
                XavierInitializer.FactorType.IN, 2), p -> p.getType() == Parameter.Type.WEIGHT && p.getInitializer() == null);
        try (Model model = Model.newInstance(label, Device.cpu())) {
            model.setBlock(block);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(optimizer(recipe, batchesPerEpoch(split, recipe) * recipe.epochs()))
                    .optDevices(new Device[] {Device.cpu()});
            try (Trainer trainer = model.newTrainer(trainingConfig)) {
                trainer.initialize(new Shape(recipe.batchSize()).addAll(exampleShape));
                MemoryRecord memory = MemoryAccounting.of(block);
                progress.runStarted(label, recipe.epochs(), batchesPerEpoch(split, recipe));

                Random shuffle = new Random(config.seed());
                int[] order = split.train().clone();
                List<EpochRecord> epochs = new ArrayList<>();
                for (int epoch = 1; epoch <= recipe.epochs(); epoch++) {
                    long start = System.nanoTime();
                    shuffleInPlace(order, shuffle);
                    Fit fit = trainEpoch(trainer, train, order, recipe.batchSize(), epoch);
                    Evaluation validation = evaluate(trainer, train, split.validation());
                    EpochRecord record = new EpochRecord(epoch, fit.loss(), fit.accuracy(),
                            validation.loss(), validation.accuracy(), (System.nanoTime() - start) / 1e9);
                    epochs.add(record);
                    onEpoch.accept(record);
                    progress.epochFinished(record);
                }
                Evaluation finalTest = evaluate(trainer, test, allTest);
                ModelRecord modelRecord = new ModelRecord(java.util.Arrays.stream(exampleShape.getShape()).boxed().toList(),
                        data.classes(), train.mean(), train.std());
                MemoryRecord stored = persist.persist(block, modelRecord, memory);
                return new Outcome(epochs, finalTest, stored, modelRecord);
            }
        }
    }

    private record Fit(double loss, double accuracy) {}

    private Fit trainEpoch(Trainer trainer, Batches batches, int[] order, int batchSize, int epoch) {
        double lossSum = 0;
        long correct = 0;
        for (int from = 0; from < order.length; from += batchSize) {
            int to = Math.min(from + batchSize, order.length);
            // Everything a batch creates, including the quantized weights, dies with this manager.
            try (NDManager batchScope = trainer.getManager().newSubManager()) {
                NDArray x = batches.images(batchScope, order, from, to);
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
                    throw new DivergedException("training loss became " + loss + " in epoch " + epoch);
                }
                trainer.step();
                lossSum += loss * (to - from);
                progress.batchFinished(loss);
            }
        }
        return new Fit(lossSum / order.length, (double) correct / order.length);
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

    private static void shuffleInPlace(int[] order, Random random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
    }

    private static int batchesPerEpoch(ValidationSplit split, Recipe recipe) {
        return (split.train().length + recipe.batchSize() - 1) / recipe.batchSize();
    }

    /** The recipe's optimizer; a cosine schedule decays the rate to zero over {@code totalSteps}. */
    private static Optimizer optimizer(Recipe recipe, int totalSteps) {
        float peak = (float) recipe.learningRate();
        Tracker rate = switch (recipe.schedule()) {
            case "constant" -> Tracker.fixed(peak);
            case "cosine" -> Tracker.cosine().setBaseValue(peak).optFinalValue(0f).setMaxUpdates(totalSteps).build();
            default -> throw new IllegalArgumentException("Unknown schedule '" + recipe.schedule() + "'");
        };
        float decay = (float) recipe.weightDecay();
        return switch (recipe.optimizer()) {
            case "adam" -> Optimizer.adam().optLearningRateTracker(rate).optWeightDecays(decay).build();
            case "sgd" -> Optimizer.sgd().setLearningRateTracker(rate).optMomentum(0.9f).optWeightDecays(decay).build();
            default -> throw new IllegalArgumentException("Unknown optimizer '" + recipe.optimizer() + "'");
        };
    }
}
