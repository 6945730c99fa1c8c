package dev.lowbit.format.result;

import java.util.List;

/**
 * What it takes to rebuild a run's model and feed it data: the input it was built for and the
 * pixel normalisation it was trained with.
 *
 * @param inputShape one example's shape without the batch axis, e.g. {@code [1, 28, 28]}
 * @param classes number of output classes
 * @param normalisationMean mean of the training pixels in [0, 1], subtracted before the first layer
 * @param normalisationStd their standard deviation, divided by
 */
public record ModelRecord(List<Long> inputShape, int classes, float normalisationMean, float normalisationStd) {

    public ModelRecord {
        inputShape = List.copyOf(inputShape);
    }

    /** The input shape as an array. */
    public long[] inputDimensions() {
        return inputShape.stream().mapToLong(Long::longValue).toArray();
    }
}
