package dev.lowbit.reports;

import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;

/**
 * One row of the runs table, every cell already formatted, so the template only places text.
 *
 * @param runId run id, also the row's {@code data-run-id}
 * @param anchor the element id of the run's section, which the row links to (see {@link RunAnchors})
 * @param suite suite the run belongs to
 * @param architecture architecture id
 * @param quantizer quantizer spec as stored, e.g. {@code ternary@mse/tensor}, with {@code + <activation spec>}
 *     when inputs are quantized and {@code (layers <map>)} for a layer map
 * @param levels number of levels k, or {@code fp32}
 * @param bits ideal weight and activation bits, e.g. {@code W1.58A8}, or {@code W1.58} with fp32 inputs
 * @param testAccuracy test accuracy in percent, or a dash for a run that did not finish
 * @param delta test accuracy minus the fp32 twin's, in signed percentage points, or a dash
 * @param parity epochs-to-parity label, {@code > N} when not reached in the N epochs trained
 * @param censored whether the parity is censored, for styling
 * @param memory fp32, ideal and (when a packed file was written) packed bytes, e.g.
 *     {@code 397.5 KiB → 26.1 KiB → 26.8 KiB}; a dash for a failed run
 * @param compression fp32 bytes over ideal bytes, e.g. {@code 15.2×}
 * @param seed the run's seed
 * @param status FINISHED, DIVERGED (with its epoch) or FAILED
 * @param error the failure's message for a failed run, else null
 * @param rowClass {@code failed}, {@code diverged} or empty, for styling
 */
record ReportRow(
        String runId,
        String anchor,
        String suite,
        String architecture,
        String quantizer,
        String levels,
        String bits,
        String testAccuracy,
        String delta,
        String parity,
        boolean censored,
        String memory,
        String compression,
        long seed,
        String status,
        String error,
        String rowClass) {

    /** Formats one stored run, comparing it with its fp32 twin through {@code twins}. */
    static ReportRow of(StoredRun stored, TwinComparison twins, String anchor) {
        RunRecord run = stored.run();
        QuantizerRecord q = run.quantizer();
        MemoryRecord memory = run.memory();
        boolean failed = run.status() == RunStatus.FAILED;
        boolean diverged = run.status() == RunStatus.DIVERGED;
        TwinComparison.Parity parity = twins.parity(stored);
        SchemeLabel scheme = SchemeLabel.of(run.config(), q);
        return new ReportRow(
                run.runId(),
                anchor,
                run.config().suite(),
                run.config().architecture(),
                scheme.quantizers() + scheme.layerMapSuffix(),
                q.levels() == 0 ? "fp32" : Integer.toString(q.levels()),
                scheme.bits(),
                run.status() == RunStatus.FINISHED ? Formats.percent(run.testAccuracy()) : Formats.NONE,
                Formats.points(twins.deltaPoints(stored)),
                parity.label(),
                parity.censored(),
                memory == null ? Formats.NONE : memoryTiers(memory),
                memory == null ? Formats.NONE : Formats.ratio(memory.compression()),
                run.config().seed(),
                diverged
                        ? "DIVERGED in epoch " + run.divergedEpoch()
                        : run.status().name(),
                failed ? (run.error() == null ? "no error message stored" : run.error()) : null,
                failed ? "failed" : diverged ? "diverged" : "");
    }

    private static String memoryTiers(MemoryRecord memory) {
        String tiers = Formats.bytes(memory.fp32Bytes()) + " → " + Formats.bytes(memory.idealBytes());
        return memory.packedBytes() == null ? tiers : tiers + " → " + Formats.bytes(memory.packedBytes());
    }
}
