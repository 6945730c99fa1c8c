package dev.lowbit.harness.bench;

import dev.lowbit.harness.train.Evaluation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times two engines running one model, in one process and in turns: each round runs the batch-1 images on the
 * first engine, then on the second, then the batches on the first, then on the second, so a busy neighbour
 * slows both alike. Both engines take the same float images and hand back float logits: the copy into an
 * engine and out of it is part of what is timed.
 */
public final class InferenceBenchmark {

    /** What to run. */
    public record Settings(int warmUp, int rounds, int batchSize) {}

    /**
     * One engine's times.
     *
     * @param latencySeconds every batch-1 image's time, all rounds
     * @param imagesPerSecond each round's throughput over its batches
     */
    public record Timings(List<Double> latencySeconds, List<Double> imagesPerSecond) {

        /** The median batch-1 time. */
        public double medianLatency() {
            return TrainingBenchmark.median(latencySeconds);
        }

        /** The 99th percentile of the batch-1 times (nearest rank). */
        public double p99Latency() {
            double[] sorted = latencySeconds.stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            return sorted.length == 0 ? Double.NaN : sorted[(int) Math.ceil(0.99 * sorted.length) - 1];
        }

        /** The median over the rounds of the throughput at the batch size. */
        public double medianImagesPerSecond() {
            return TrainingBenchmark.median(imagesPerSecond);
        }
    }

    /**
     * Both engines' times, and how often their predictions agree.
     *
     * @param sameArgmax batch-1 images of the first round whose largest logit is the same class on both
     * @param compared the batch-1 images of a round
     */
    public record Result(Timings first, Timings second, int sameArgmax, int compared) {}

    private final Settings settings;
    private final int classes;

    public InferenceBenchmark(Settings settings, int classes) {
        this.settings = settings;
        this.classes = classes;
    }

    /**
     * Warms both engines up, then times them in {@link Settings#rounds} rounds.
     *
     * @param singles the batch-1 images, each one image's floats
     * @param batches the batches, each {@link Settings#batchSize} images' floats
     */
    public Result measure(
            Evaluation.JavaModel first, Evaluation.JavaModel second, float[][] singles, float[][] batches) {
        for (int i = 0; i < settings.warmUp(); i++) {
            first.logits(singles[i % singles.length], 1);
            second.logits(singles[i % singles.length], 1);
        }
        for (int i = 0; i < Math.min(2, batches.length); i++) {
            first.logits(batches[i], settings.batchSize());
            second.logits(batches[i], settings.batchSize());
        }
        Timings a = new Timings(new ArrayList<>(), new ArrayList<>());
        Timings b = new Timings(new ArrayList<>(), new ArrayList<>());
        int[] firstPredictions = new int[singles.length];
        int[] secondPredictions = new int[singles.length];
        for (int round = 0; round < settings.rounds(); round++) {
            latencies(first, singles, a.latencySeconds(), round == 0 ? firstPredictions : null);
            latencies(second, singles, b.latencySeconds(), round == 0 ? secondPredictions : null);
            a.imagesPerSecond().add(throughput(first, batches));
            b.imagesPerSecond().add(throughput(second, batches));
        }
        int same = 0;
        for (int i = 0; i < singles.length; i++) {
            same += firstPredictions[i] == secondPredictions[i] ? 1 : 0;
        }
        return new Result(a, b, same, singles.length);
    }

    private void latencies(Evaluation.JavaModel model, float[][] singles, List<Double> seconds, int[] predictions) {
        for (int i = 0; i < singles.length; i++) {
            long start = System.nanoTime();
            float[] logits = model.logits(singles[i], 1);
            seconds.add((System.nanoTime() - start) / 1e9);
            if (predictions != null) {
                predictions[i] = argmax(logits);
            }
        }
    }

    private double throughput(Evaluation.JavaModel model, float[][] batches) {
        long start = System.nanoTime();
        for (float[] batch : batches) {
            model.logits(batch, settings.batchSize());
        }
        return (double) batches.length * settings.batchSize() / ((System.nanoTime() - start) / 1e9);
    }

    private int argmax(float[] logits) {
        if (logits.length != classes) {
            throw new IllegalStateException("An engine gave " + logits.length + " logits for one image of " + classes
                    + " classes: " + Arrays.toString(Arrays.copyOf(logits, Math.min(logits.length, 4))) + "...");
        }
        int best = 0;
        for (int c = 1; c < classes; c++) {
            best = logits[c] > logits[best] ? c : best;
        }
        return best;
    }
}
