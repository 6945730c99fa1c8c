package dev.lowbit.harness.bench;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.harness.data.Augmentation;
import dev.lowbit.harness.data.ImageSet;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.data.ValidationSplit;
import dev.lowbit.harness.train.Batches;
import dev.lowbit.harness.train.LayerSchemes;
import dev.lowbit.harness.train.TrainingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Times the real training step ({@link TrainingSession}, the code every {@code lowbit run} trains
 * with) of an architecture with fp32 weights and with each quantizer, in one process: all models are
 * built first, warmed up, then timed in turns (fp32, q1, q2, ..., with the starting model rotating
 * every repeat) so a busy neighbour slows them alike. A repeat is a window of consecutive steps on
 * the shuffled training set; its time per step is compared with the fp32 model's in the same repeat.
 * Whole epochs (training, the stability check and validation, as {@code lowbit run} does them, minus
 * the checkpoint) are timed in turns the same way.
 */
public final class TrainingBenchmark {

    /** What to measure. */
    public record Settings(
            Recipe recipe, int warmUpSteps, int steps, int repeats, int epochs, long seed, Device device) {}

    /** One model's timings. */
    public record ModelTimings(
            String quantizer,
            List<Double> stepSeconds,
            List<Double> ratios,
            List<Double> epochSeconds,
            List<Double> dataSeconds) {}

    /** One architecture's timings, fp32 first. */
    public record ArchitectureTimings(
            String architecture,
            long parameters,
            long forwardFlopsPerImage,
            int trainImages,
            int validationImages,
            int batchesPerEpoch,
            List<ModelTimings> models) {

        /** FLOPs of one epoch: 3x the forward for every training image, 1x for every validation image. */
        public double epochFlops() {
            return (double) forwardFlopsPerImage
                    * (dev.lowbit.harness.bench.ModelFlops.TRAINING_FACTOR * (double) trainImages + validationImages);
        }
    }

    /**
     * When the timed part starts and what follows it. A benchmark alone times at once and stops after; copies of
     * it training at once in separate processes ({@code lowbit bench training --beside N}) must time only while
     * all of them train, so each waits for the others before its first timed window and keeps training, untimed,
     * after its last timed window or epoch until the others are done too.
     */
    public interface Pacing {

        /** Times at once and trains nothing after: the benchmark alone. */
        Pacing ALONE = new Pacing() {
            @Override
            public void beforeTiming(String architecture) {}

            @Override
            public void timed(ArchitectureTimings timings) {}

            @Override
            public boolean keepTraining() {
                return false;
            }
        };

        /** Called once every model of {@code architecture} is built and warmed up; returns when timing may start. */
        void beforeTiming(String architecture);

        /** Called with an architecture's timings right after its last timed window or epoch. */
        void timed(ArchitectureTimings timings);

        /** Asked after {@link #timed} before every untimed step: whether to train one more (the models take turns). */
        boolean keepTraining();
    }

    private final Consumer<String> log;
    private final Pacing pacing;

    public TrainingBenchmark(Consumer<String> log) {
        this(log, Pacing.ALONE);
    }

    /** A benchmark that starts and ends its timed part as {@code pacing} says. */
    public TrainingBenchmark(Consumer<String> log, Pacing pacing) {
        this.log = log;
        this.pacing = pacing;
    }

    /**
     * A model compared with fp32: its name in the table, the quantizer the architecture builds it with and
     * what each layer then trains with (estimator, activation quantizer).
     */
    public record Compared(String label, Quantizer quantizer, LayerSchemes schemes) {}

    /**
     * Measures {@code architecture} with {@code fp32} and every scheme of {@code compared}.
     */
    public ArchitectureTimings measure(
            Architecture architecture, Quantizer fp32, List<Compared> compared, LabeledImages data, Settings settings) {
        Recipe recipe = settings.recipe();
        ValidationSplit split = ValidationSplit.stratified(data.train().labels(), 0, 0.1, settings.seed());
        Batches batches = Batches.normalisedBy(data.train(), split.train());
        ImageSet images = data.train();
        Shape exampleShape = new Shape(images.channels(), images.rows(), images.cols());
        int batchesPerEpoch = (split.train().length + recipe.batchSize() - 1) / recipe.batchSize();
        Augmentation augmentation = Augmentation.named(recipe.augmentation());
        List<Compared> all = new ArrayList<>();
        all.add(new Compared(fp32.spec(), fp32, LayerSchemes.AS_BUILT));
        all.addAll(compared);
        List<TrainingSession> sessions = new ArrayList<>();
        try {
            for (Compared model : all) {
                sessions.add(new TrainingSession(
                        architecture.id() + "." + model.label(),
                        recipe,
                        batchesPerEpoch * Math.max(1, settings.epochs()),
                        architecture,
                        model.quantizer(),
                        LayerPolicy.ALL,
                        model.schemes(),
                        exampleShape,
                        data.classes(),
                        settings.seed(),
                        settings.device(),
                        block -> {}));
            }
            Block reference = sessions.get(0).block();
            long flops = ModelFlops.forwardPerImage(reference);
            long parameters = reference.getParameters().stream()
                    .mapToLong(p -> p.getValue().getArray().size())
                    .sum();
            int[] order = TrainingSession.shuffled(split.train(), settings.seed(), 1);
            int window = settings.steps() * recipe.batchSize();
            int[] cursor = {0};
            log.accept(String.format(
                    java.util.Locale.ROOT,
                    "%s: %d warm-up steps per model",
                    architecture.id(),
                    settings.warmUpSteps()));
            for (TrainingSession session : sessions) {
                session.train(
                        batches,
                        next(order, cursor, settings.warmUpSteps() * recipe.batchSize()),
                        1,
                        augmentation,
                        new java.util.Random(settings.seed()),
                        loss -> {});
            }
            pacing.beforeTiming(architecture.id());
            int n = sessions.size();
            List<List<Double>> steps = new ArrayList<>();
            List<List<Double>> epochs = new ArrayList<>();
            List<List<Double>> data1 = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                steps.add(new ArrayList<>());
                epochs.add(new ArrayList<>());
                data1.add(new ArrayList<>());
            }
            for (int r = 0; r < settings.repeats(); r++) {
                int[] slice = next(order, cursor, window);
                for (int k = 0; k < n; k++) {
                    int i = (r + k) % n;
                    long start = System.nanoTime();
                    sessions.get(i)
                            .train(batches, slice, 1, augmentation, new java.util.Random(settings.seed()), loss -> {});
                    steps.get(i).add((System.nanoTime() - start) / 1e9 / settings.steps());
                }
                log.accept(String.format(
                        java.util.Locale.ROOT,
                        "%s: step repeat %d/%d: %s ms",
                        architecture.id(),
                        r + 1,
                        settings.repeats(),
                        format(steps, r)));
            }
            for (int e = 1; e <= settings.epochs(); e++) {
                for (int k = 0; k < n; k++) {
                    int i = (e + k - 1) % n;
                    TrainingSession.Epoch epoch = sessions.get(i)
                            .epoch(
                                    e,
                                    batches,
                                    split.train(),
                                    split.validation(),
                                    settings.seed(),
                                    augmentation,
                                    loss -> {});
                    epochs.get(i).add(epoch.record().seconds());
                    data1.get(i).add(epoch.fit().dataSeconds());
                    log.accept(String.format(
                            java.util.Locale.ROOT,
                            "%s %s: epoch %d/%d %.2f s (data %.3f s)",
                            architecture.id(),
                            all.get(i).label(),
                            e,
                            settings.epochs(),
                            epoch.record().seconds(),
                            epoch.fit().dataSeconds()));
                }
            }
            List<ModelTimings> models = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Double> ratios = new ArrayList<>();
                for (int r = 0; r < settings.repeats(); r++) {
                    ratios.add(steps.get(i).get(r) / steps.get(0).get(r));
                }
                models.add(new ModelTimings(all.get(i).label(), steps.get(i), ratios, epochs.get(i), data1.get(i)));
            }
            ArchitectureTimings timings = new ArchitectureTimings(
                    architecture.id(),
                    parameters,
                    flops,
                    split.train().length,
                    split.validation().length,
                    batchesPerEpoch,
                    models);
            pacing.timed(timings);
            // One step at a time, so the copy stops soon after it is told; the models take turns as when timed.
            for (int k = 0; pacing.keepTraining(); k++) {
                sessions.get(k % n)
                        .train(
                                batches,
                                next(order, cursor, recipe.batchSize()),
                                1,
                                augmentation,
                                new java.util.Random(settings.seed()),
                                loss -> {});
            }
            return timings;
        } finally {
            for (TrainingSession session : sessions) {
                session.close();
            }
        }
    }

    private static String format(List<List<Double>> steps, int r) {
        StringBuilder text = new StringBuilder();
        for (List<Double> model : steps) {
            text.append(text.length() == 0 ? "" : ", ")
                    .append(String.format(java.util.Locale.ROOT, "%.2f", model.get(r) * 1e3));
        }
        return text.toString();
    }

    /** The next {@code length} indices of {@code order}, wrapping around. */
    private static int[] next(int[] order, int[] cursor, int length) {
        int[] slice = new int[length];
        for (int i = 0; i < length; i++) {
            slice[i] = order[(cursor[0] + i) % order.length];
        }
        cursor[0] = (cursor[0] + length) % order.length;
        return slice;
    }

    /**
     * The engine's matrix-multiply rate in FLOP/s: a {@code size x size} float32 product, warmed up
     * twice, then timed {@code repeats} times; the median.
     */
    public static double gemmFlopsPerSecond(int size, int repeats) {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.randomNormal(new Shape(size, size));
            NDArray b = manager.randomNormal(new Shape(size, size));
            double[] seconds = new double[repeats];
            for (int i = -2; i < repeats; i++) {
                try (NDManager scope = manager.newSubManager()) {
                    long start = System.nanoTime();
                    NDArray c = a.matMul(b);
                    c.attach(scope);
                    c.getFloat(0, 0);
                    if (i >= 0) {
                        seconds[i] = (System.nanoTime() - start) / 1e9;
                    }
                }
            }
            return 2.0
                    * size
                    * size
                    * size
                    / median(Arrays.stream(seconds).boxed().toList());
        }
    }

    /** The median of {@code values}. */
    public static double median(List<Double> values) {
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
