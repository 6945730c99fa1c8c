package dev.lowbit.format.result;

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
 * @param epochsCompleted epochs actually trained (for a diverged run, the epoch it diverged in is not counted)
 * @param divergedEpoch the epoch in which the loss or the weights stopped being finite, or null
 * @param parity epochs-to-parity against the fp32 twin, or null (an fp32 run, or no twin stored yet)
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
        Integer divergedEpoch,
        ParityRecord parity,
        double bestValidationAccuracy,
        double testAccuracy,
        double testLoss,
        String startedAt,
        String finishedAt,
        Map<String, String> provenance) {

    /**
     * The version of run.json's schema this lowbit writes, and the newest it reads ({@link StoreJson}
     * says when it is raised). Stored as {@value StoreJson#VERSION_FIELD}, beside the record's fields.
     */
    public static final int SCHEMA_VERSION = 1;

    /** This record with its epochs-to-parity filled in (the twin may finish after the run, in another shard). */
    public RunRecord withParity(ParityRecord newParity) {
        return new RunRecord(
                runId,
                status,
                error,
                config,
                quantizer,
                memory,
                model,
                epochsCompleted,
                divergedEpoch,
                newParity,
                bestValidationAccuracy,
                testAccuracy,
                testLoss,
                startedAt,
                finishedAt,
                provenance);
    }

    public RunRecord {
        // Sorted, so stored files diff cleanly between runs.
        provenance = Collections.unmodifiableMap(new TreeMap<>(provenance));
    }
}
