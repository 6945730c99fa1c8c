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
}
