package dev.lowbit.reports;

import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunStatus;
import java.util.ArrayList;
import java.util.DoubleSummaryStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * One experiment: the stored runs whose configs differ only in the seed (architecture x quantizer x
 * activations x recipe x data x layer policy). The main table has one row per group.
 *
 * @param key the runs' common config, with seed 0
 * @param runs the seeds' runs in report order (they share their activation quantizer too)
 * @param confidence the level of the intervals over seeds, e.g. 0.95
 */
record RunGroup(RunConfig key, List<StoredRun> runs, double confidence) {

    RunGroup {
        Objects.requireNonNull(key, "key");
        runs = List.copyOf(runs);
        if (runs.isEmpty()) {
            throw new IllegalArgumentException("A group holds at least one run");
        }
    }

    /**
     * Groups {@code runs} by config without the seed and by activation quantizer, keeping the order of
     * each group's first run.
     */
    static List<RunGroup> of(List<StoredRun> runs, double confidence) {
        Map<RunKey, List<StoredRun>> byKey = new LinkedHashMap<>();
        for (StoredRun run : runs) {
            byKey.computeIfAbsent(RunKey.of(run).withoutSeed(), k -> new ArrayList<>())
                    .add(run);
        }
        List<RunGroup> groups = new ArrayList<>();
        byKey.forEach((key, members) -> groups.add(new RunGroup(key.config(), members, confidence)));
        return groups;
    }

    /** What this group is told apart by: its config (seed 0) and its activation quantizer. */
    RunKey runKey() {
        return new RunKey(key, activations().spec());
    }

    String architecture() {
        return key.architecture();
    }

    QuantizerRecord quantizer() {
        return runs.get(0).run().quantizer();
    }

    ActivationRecord activations() {
        return quantizer().activations();
    }

    /** How tables, charts and verdicts name this group: spec, activations, W/A bits, layer map. */
    SchemeLabel scheme() {
        return SchemeLabel.of(key, quantizer());
    }

    /**
     * The quantizer spec as the runs stored it, e.g. {@code ternary@mse/tensor}: what names the group
     * in tables, charts and verdicts. The quantizer's id cannot, as several specs share one id.
     */
    String spec() {
        return key.quantizer();
    }

    /** The spec's scale rule and granularity, e.g. {@code @mse/tensor}; empty for a bare id such as {@code fp32}. */
    String scaleRule() {
        int at = spec().indexOf('@');
        return at < 0 ? "" : spec().substring(at);
    }

    /** fp32 weights and fp32 inputs: a twin the others are compared with. */
    boolean isFullPrecision() {
        return quantizer().levels() == 0 && !activations().quantizes();
    }

    /** Runs that trained every epoch: the only ones whose test accuracy means something. */
    List<StoredRun> finished() {
        return runs.stream().filter(r -> r.run().status() == RunStatus.FINISHED).toList();
    }

    List<StoredRun> diverged() {
        return runs.stream().filter(r -> r.run().status() == RunStatus.DIVERGED).toList();
    }

    List<StoredRun> failed() {
        return runs.stream().filter(r -> r.run().status() == RunStatus.FAILED).toList();
    }

    /**
     * Runs that show instability: diverged, or with at least one loss spike (a batch loss above 3x
     * the median of the epoch's earlier batches). Failed runs are errors of the harness, not of
     * training, and do not count.
     */
    List<StoredRun> unstable() {
        return runs.stream().filter(RunGroup::isUnstable).toList();
    }

    static boolean isUnstable(StoredRun run) {
        return run.run().status() == RunStatus.DIVERGED
                || run.epochs().stream().anyMatch(e -> e.lossSpikes() != null && e.lossSpikes() > 0);
    }

    /** Test accuracy over the finished seeds, with its interval at the report's confidence. */
    Summary testAccuracy() {
        return Summary.of(
                finished().stream().mapToDouble(r -> r.run().testAccuracy()).toArray(), confidence);
    }

    /** The memory record of the first run that has one; every seed builds the same model. */
    Optional<MemoryRecord> memory() {
        return runs.stream().map(r -> r.run().memory()).filter(Objects::nonNull).findFirst();
    }

    /** Bytes of the packed file when one was written, else the ideal size. */
    Optional<Double> storedBytes() {
        return memory().map(m -> m.packedBytes() != null ? m.packedBytes().doubleValue() : m.idealBytes());
    }

    /** The epoch count the recipe asked for. */
    int plannedEpochs() {
        return key.recipe().epochs();
    }

    /**
     * The finite values of {@code metric} per epoch number over every seed, in epoch order; an epoch
     * no seed logged a finite value for is absent. One pass over the epochs, however many there are.
     */
    SortedMap<Integer, DoubleSummaryStatistics> byEpoch(ToDoubleFunction<EpochRecord> metric) {
        SortedMap<Integer, DoubleSummaryStatistics> byEpoch = new TreeMap<>();
        for (StoredRun run : runs) {
            for (EpochRecord record : run.epochs()) {
                double value = metric.applyAsDouble(record);
                if (Double.isFinite(value)) {
                    byEpoch.computeIfAbsent(record.epoch(), k -> new DoubleSummaryStatistics())
                            .accept(value);
                }
            }
        }
        return byEpoch;
    }

    /** The highest epoch number any seed logged. */
    int lastEpoch() {
        return runs.stream()
                .flatMap(r -> r.epochs().stream())
                .mapToInt(EpochRecord::epoch)
                .max()
                .orElse(0);
    }

    /**
     * A short label, {@code architecture / name} (see {@link SchemeLabel#name}), for pairs whose panel
     * is known from the context.
     */
    String label() {
        return architecture() + " / " + scheme().name();
    }
}
