package dev.lowbit.reports;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.RunRecord;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One finished run as found in the result store: its {@code run.json} and its epochs.
 *
 * @param run the contents of {@code run.json}
 * @param epochs the lines of {@code epochs.jsonl} in file order; empty when the file is absent
 */
public record StoredRun(RunRecord run, List<EpochRecord> epochs) {

    /**
     * The report's order: architecture, then bits per weight descending (so fp32 comes first and the
     * eye reads from the reference down to the fewest bits), then quantizer spec, then activation
     * bits descending and activation spec (weight-only runs before their quantized-input siblings),
     * then layer policy, then seed. Suite and run id only break the remaining ties, so the order never
     * depends on the file system's.
     */
    public static final Comparator<StoredRun> REPORT_ORDER = Comparator.comparing(
                    (StoredRun r) -> r.run().config().architecture())
            .thenComparing(r -> r.run().quantizer().bitsPerWeight(), Comparator.reverseOrder())
            .thenComparing(r -> r.run().config().quantizer())
            .thenComparing(r -> r.run().quantizer().activations().bits(), Comparator.reverseOrder())
            .thenComparing(r -> r.run().quantizer().activations().spec())
            .thenComparing(r -> r.run().config().layerPolicy(), Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparingLong(r -> r.run().config().seed())
            .thenComparing(r -> r.run().config().suite(), Comparator.nullsFirst(Comparator.naturalOrder()))
            .thenComparing(r -> r.run().runId());

    /** Checks both parts are present and copies the epochs. */
    public StoredRun {
        Objects.requireNonNull(run, "run");
        epochs = List.copyOf(epochs);
    }

    /** How tables and titles name what this run trained with (see {@link SchemeLabel}). */
    SchemeLabel scheme() {
        return SchemeLabel.of(run.config(), run.quantizer());
    }

    /**
     * This run's title: {@code architecture / name / seed N}, e.g.
     * {@code fcnn-small / ternary@mse/tensor W1.58 / seed 1}.
     */
    public String seriesName() {
        return run.config().architecture() + " / " + scheme().name() + " / seed "
                + run.config().seed();
    }
}
