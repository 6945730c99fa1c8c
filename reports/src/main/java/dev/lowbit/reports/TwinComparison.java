package dev.lowbit.reports;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.RunStatus;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Joins each stored run to its fp32 twin (the same config with the full-precision quantizer and fp32
 * inputs) and says how far the run is from it: the test-accuracy gap and the epochs it took to reach
 * parity.
 */
final class TwinComparison {

    /** Quantizer id of full precision, the reference every run is compared with. */
    static final String FP32 = "fp32";

    /**
     * Accuracies are sums of 1/n steps and the threshold is a difference of decimals, so a run exactly
     * at the threshold (0.87 vs 0.88 - 0.01) must not miss it by a rounding error.
     */
    private static final double ROUNDING_SLACK = 1e-9;

    private final Map<RunKey, StoredRun> byConfig = new HashMap<>();
    private final double tolerance;

    /**
     * @param runs the stored runs among which twins are looked up; on a duplicate config the first wins
     * @param tolerance how far below the twin's best validation accuracy still counts as parity,
     *     as a fraction (0.01 = one percentage point)
     */
    TwinComparison(List<StoredRun> runs, double tolerance) {
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new IllegalArgumentException("parity tolerance must be a finite number >= 0, got " + tolerance);
        }
        this.tolerance = tolerance;
        for (StoredRun run : runs) {
            byConfig.putIfAbsent(RunKey.of(run), run);
        }
    }

    /**
     * The stored run with this run's config but quantizer fp32 and fp32 inputs (for an fp32 run,
     * itself): one twin for a run with quantized activations and for its weight-only sibling.
     */
    Optional<StoredRun> twinOf(StoredRun run) {
        return Optional.ofNullable(byConfig.get(RunKey.of(run).twin()));
    }

    /**
     * Test accuracy minus the twin's, in percentage points; empty when either run failed (its test
     * accuracy means nothing) or no twin is stored.
     */
    OptionalDouble deltaPoints(StoredRun run) {
        Optional<StoredRun> twin = twinOf(run).filter(TwinComparison::finished);
        if (twin.isEmpty() || !finished(run)) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(
                100 * (run.run().testAccuracy() - twin.get().run().testAccuracy()));
    }

    /**
     * Epochs-to-parity: the first epoch whose validation accuracy is within the tolerance of the
     * twin's best. A failed or diverged run still gets a number from the epochs it did train, since
     * reaching parity before stopping is worth knowing.
     */
    Parity parity(StoredRun run) {
        Optional<StoredRun> twin = twinOf(run);
        if (twin.isEmpty()) {
            return new Parity(OptionalInt.empty(), run.run().epochsCompleted(), "no fp32 twin");
        }
        if (!finished(twin.get())) {
            return new Parity(OptionalInt.empty(), run.run().epochsCompleted(), "fp32 twin did not finish");
        }
        double target = twin.get().run().bestValidationAccuracy() - tolerance;
        return new Parity(firstEpochReaching(run.epochs(), target), run.run().epochsCompleted(), null);
    }

    /** Epochs-to-parity as the report shows it: the epoch, {@code > N} when censored, or why there is none. */
    String parityLabel(StoredRun run) {
        return parity(run).label();
    }

    /**
     * A run's epochs-to-parity.
     *
     * @param epoch the first epoch at parity; empty when not reached (censored) or not measurable
     * @param observed epochs the run trained, the censoring point
     * @param problem why parity cannot be measured (no twin, twin did not finish), else null
     */
    record Parity(OptionalInt epoch, int observed, String problem) {

        boolean measurable() {
            return problem == null;
        }

        /** Not reached within the epochs trained: all we know is that it would take more than {@link #observed}. */
        boolean censored() {
            return problem == null && epoch.isEmpty();
        }

        String label() {
            return problem != null ? problem : epoch.isPresent() ? Integer.toString(epoch.getAsInt()) : "> " + observed;
        }

        /** The epoch for charts and medians: a censored run counts as one epoch beyond what it trained. */
        int epochOrBeyond() {
            return epoch.orElse(observed + 1);
        }
    }

    /** The first epoch (by its number, not file order) whose validation accuracy is at least {@code target}. */
    static OptionalInt firstEpochReaching(List<EpochRecord> epochs, double target) {
        return epochs.stream()
                .filter(e -> e.validationAccuracy() >= target - ROUNDING_SLACK)
                .mapToInt(EpochRecord::epoch)
                .min();
    }

    static boolean finished(StoredRun run) {
        return run.run().status() == RunStatus.FINISHED;
    }
}
