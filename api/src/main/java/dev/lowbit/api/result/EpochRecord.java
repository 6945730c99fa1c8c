package dev.lowbit.api.result;

/**
 * One finished training epoch, as appended to {@code epochs.jsonl}.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean training loss over the epoch's batches
 * @param trainAccuracy training accuracy over the epoch (measured on the fly, weights changing)
 * @param validationLoss mean loss on the held-out validation split after the epoch
 * @param validationAccuracy accuracy on the held-out validation split after the epoch
 * @param seconds wall-clock time of the epoch, training and validation
 */
public record EpochRecord(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validationLoss,
        double validationAccuracy,
        double seconds) {

    public EpochRecord {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
        }
    }
}
