package dev.lowbit.harness.cli;

import java.util.List;

/**
 * What {@code lowbit plan --format json} prints: the schema {@value #SCHEMA}, documented field by field in
 * docs/JSON.md. The same content as the table, with times in seconds and every column of every run.
 *
 * @param shard the shard shown, {@code I/N}, or null for the whole plan
 * @param planRuns runs in the whole plan ({@code runs} holds the shard's)
 * @param directory the suite's results folder
 * @param done runs of {@code runs} that are finished
 * @param estimatedSeconds one worker's time for all of {@code runs}, without those of unknown time
 * @param estimatedSecondsToRun the same for the runs not done
 * @param unknownEstimates runs without a measured epoch time, left out of both sums
 * @param epochTimes where each architecture's seconds per epoch came from
 * @param builtInTable what the built-in table of epoch times was measured on, or null when no estimate used it
 */
record PlanDocument(
        String schema,
        String suite,
        String dataset,
        String directory,
        String shard,
        int planRuns,
        List<Run> runs,
        int done,
        double estimatedSeconds,
        double estimatedSecondsToRun,
        int unknownEstimates,
        List<EpochTime> epochTimes,
        String builtInTable) {

    static final String SCHEMA = "lowbit.plan/1";

    /**
     * @param status {@code done} for a finished run, the stored status in lower case for another stored one
     *     ({@code failed}, {@code diverged}), {@code unreadable run.json}, or null when it has not run
     * @param estimatedSeconds null when no epoch time is known for it
     */
    record Run(
            String runId,
            String architecture,
            String quantizer,
            String activations,
            String layerPolicy,
            String recipe,
            long seed,
            int epochs,
            Double estimatedSeconds,
            String status) {}

    /**
     * Seconds per epoch on the full training set for one architecture and kind of run.
     *
     * @param kind {@code fp32} or {@code quantized}
     * @param secondsPerEpoch null when not measured
     * @param source where the measure came from, or null when not measured
     */
    record EpochTime(String architecture, String kind, Double secondsPerEpoch, String source) {}
}
