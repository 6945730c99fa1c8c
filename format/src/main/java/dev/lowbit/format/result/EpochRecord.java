package dev.lowbit.format.result;

import java.util.List;
import java.util.Map;

/**
 * One finished training epoch, as appended to {@code epochs.jsonl}, with the stability diagnostics
 * of the quantized weights.
 *
 * @param epoch 1-based epoch number
 * @param trainLoss mean training loss over the epoch's batches
 * @param trainAccuracy training accuracy over the epoch (measured on the fly, weights changing)
 * @param validationLoss mean loss on the held-out validation split after the epoch
 * @param validationAccuracy accuracy on the held-out validation split after the epoch
 * @param seconds wall-clock time of the epoch, training and validation
 * @param learningRate the learning rate at the epoch's last step
 * @param flipRatio share of quantized weights whose level changed during the epoch (null without quantized weights)
 * @param beyondOutermostShare share of shadow weights beyond the outermost level, |W / s| > max|value|
 *     (null without quantized weights)
 * @param lossSpikes batches whose loss exceeded 3x the median of the epoch's preceding batches
 * @param levelOccupancy per quantized tensor, how many weights sit on each level (smallest value first)
 */
public record EpochRecord(
        int epoch,
        double trainLoss,
        double trainAccuracy,
        double validationLoss,
        double validationAccuracy,
        double seconds,
        Double learningRate,
        Double flipRatio,
        Double beyondOutermostShare,
        Integer lossSpikes,
        Map<String, List<Long>> levelOccupancy) {

    public EpochRecord {
        if (epoch < 1) {
            throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
        }
        levelOccupancy = levelOccupancy == null ? Map.of() : Map.copyOf(levelOccupancy);
    }

    /** An epoch without stability diagnostics. */
    public EpochRecord(
            int epoch,
            double trainLoss,
            double trainAccuracy,
            double validationLoss,
            double validationAccuracy,
            double seconds) {
        this(
                epoch,
                trainLoss,
                trainAccuracy,
                validationLoss,
                validationAccuracy,
                seconds,
                null,
                null,
                null,
                null,
                null);
    }
}
