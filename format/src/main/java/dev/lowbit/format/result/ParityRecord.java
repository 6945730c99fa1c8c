package dev.lowbit.format.result;

/**
 * Epochs-to-parity of a run against its fp32 twin (same architecture, recipe, data and seed): the
 * first epoch whose validation accuracy is within {@code tolerance} of the twin's best.
 *
 * @param tolerance the allowed gap in accuracy (0.01 = one percentage point)
 * @param twinRunId the fp32 twin's run id
 * @param twinBestValidationAccuracy the twin's best validation accuracy over its epochs
 * @param epoch the first epoch at parity, or null when never reached (censored)
 * @param epochsObserved how many epochs were looked at; a censored run is "> epochsObserved"
 */
public record ParityRecord(
        double tolerance, String twinRunId, double twinBestValidationAccuracy, Integer epoch, int epochsObserved) {

    /** Whether the run never reached parity in the epochs it trained. */
    public boolean censored() {
        return epoch == null;
    }
}
