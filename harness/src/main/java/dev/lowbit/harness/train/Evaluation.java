package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.loss.Loss;
import java.util.function.UnaryOperator;

/**
 * Loss, accuracy and every prediction of a model on a set of images, in fixed batches. Training's
 * final test and {@code lowbit eval} of a packed file both go through here, so they run the same
 * ops on the same batches and can be compared prediction by prediction.
 *
 * @param loss mean cross-entropy
 * @param accuracy share of images whose argmax is the label
 * @param predictions the argmax of every image, in the order given
 */
public record Evaluation(double loss, double accuracy, int[] predictions) {

    /** Images per forward pass; fixed, because batch size can change the last bits of a matmul. */
    public static final int BATCH = 1000;

    private static final Loss CROSS_ENTROPY = Loss.softmaxCrossEntropyLoss();

    /**
     * Evaluates {@code logitsOf} on {@code indices} of {@code batches}.
     *
     * @param manager parent of the per-batch managers
     */
    public static Evaluation of(UnaryOperator<NDArray> logitsOf, Batches batches, int[] indices, NDManager manager) {
        if (indices.length == 0) {
            return new Evaluation(Double.NaN, Double.NaN, new int[0]);
        }
        double lossSum = 0;
        long correct = 0;
        int[] predictions = new int[indices.length];
        for (int from = 0; from < indices.length; from += BATCH) {
            int to = Math.min(from + BATCH, indices.length);
            try (NDManager batchScope = manager.newSubManager()) {
                NDArray logits = logitsOf.apply(batches.images(batchScope, indices, from, to));
                NDArray labels = batches.labels(batchScope, indices, from, to);
                lossSum += CROSS_ENTROPY
                                .evaluate(new NDList(labels), new NDList(logits))
                                .getFloat()
                        * (to - from);
                long[] argmax = logits.argMax(1).toLongArray();
                for (int i = 0; i < argmax.length; i++) {
                    predictions[from + i] = (int) argmax[i];
                    if (argmax[i] == batches.label(indices[from + i])) {
                        correct++;
                    }
                }
            }
        }
        return new Evaluation(lossSum / indices.length, (double) correct / indices.length, predictions);
    }

    /** A model that runs in plain Java, such as the packed engine: {@code batch x classes} logits, row-major. */
    @FunctionalInterface
    public interface JavaModel {
        /** The logits of {@code batch} images given as {@link Batches#values} gives them. */
        float[] logits(float[] images, int batch);
    }

    /**
     * Evaluates a model that runs in plain Java on {@code indices} of {@code batches}, in the batches of
     * {@link #of(UnaryOperator, Batches, int[], NDManager)} and without any engine: the images are
     * {@link Batches#values}, the loss is the mean of {@code log(sum(exp(logits))) - logits[label]} (DJL's
     * softmax cross-entropy, here in double), the prediction the first largest logit, as PyTorch's argmax takes
     * (a NaN counts as the largest, as there).
     *
     * @param classes the logits per image
     */
    public static Evaluation of(JavaModel model, int classes, Batches batches, int[] indices) {
        if (indices.length == 0) {
            return new Evaluation(Double.NaN, Double.NaN, new int[0]);
        }
        double lossSum = 0;
        long correct = 0;
        int[] predictions = new int[indices.length];
        for (int from = 0; from < indices.length; from += BATCH) {
            int to = Math.min(from + BATCH, indices.length);
            float[] logits = model.logits(batches.values(indices, from, to), to - from);
            for (int i = 0; i < to - from; i++) {
                int row = i * classes;
                int label = batches.label(indices[from + i]);
                int best = argmax(logits, row, classes);
                lossSum += logSumExp(logits, row, classes) - logits[row + label];
                predictions[from + i] = best;
                if (best == label) {
                    correct++;
                }
            }
        }
        return new Evaluation(lossSum / indices.length, (double) correct / indices.length, predictions);
    }

    private static int argmax(float[] logits, int row, int classes) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            float value = logits[row + c];
            float top = logits[row + best];
            if (!Float.isNaN(top) && (value > top || Float.isNaN(value))) {
                best = c;
            }
        }
        return best;
    }

    private static double logSumExp(float[] logits, int row, int classes) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[row + c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[row + c] - max);
        }
        return max + Math.log(sum);
    }
}
