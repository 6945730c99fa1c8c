package dev.lowbit.api.result;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The contents of a run's {@code run.json}: config, what was built, final metrics and provenance.
 * It is written last, atomically, so a run is done exactly when this file exists.
 *
 * @param runId stable id derived from {@link #config}
 * @param status how the run ended
 * @param error the failure's message when {@link #status} is FAILED, else null
 * @param config what defines the run
 * @param quantizer the quantizer's alphabet and bits
 * @param memory parameter counts and memory tiers (null for a failed run)
 * @param model the input shape and normalisation the model was built and trained with (null for a failed run)
 * @param epochsCompleted epochs actually trained
 * @param bestValidationAccuracy highest validation accuracy over the epochs
 * @param testAccuracy accuracy on the full test set after the last epoch
 * @param testLoss loss on the full test set after the last epoch
 * @param startedAt ISO-8601 start time
 * @param finishedAt ISO-8601 end time
 * @param provenance versions and environment that made the result (lowbit, Java, DJL, OS, ...)
 */
public record RunRecord(
        String runId,
        RunStatus status,
        String error,
        RunConfig config,
        QuantizerRecord quantizer,
        MemoryRecord memory,
        ModelRecord model,
        int epochsCompleted,
        double bestValidationAccuracy,
        double testAccuracy,
        double testLoss,
        String startedAt,
        String finishedAt,
        Map<String, String> provenance) {

    public RunRecord {
        // Sorted, so stored files diff cleanly between runs.
        provenance = Collections.unmodifiableMap(new TreeMap<>(provenance));
    }
}
