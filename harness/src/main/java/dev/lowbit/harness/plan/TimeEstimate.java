package dev.lowbit.harness.plan;

import dev.lowbit.format.result.RunConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntPredicate;

/**
 * How long the runs of a plan take on one worker, run by run, from {@link EpochTimes}.
 * Runs of an architecture no measurement knows have no estimate and are counted apart.
 */
public final class TimeEstimate {

    /**
     * Which measurement an architecture's runs used.
     *
     * @param dataset the dataset
     * @param architecture the architecture id
     * @param fp32 fp32 twins or quantized runs
     * @param measure seconds per epoch and their source, empty when nothing is measured
     */
    public record Source(String dataset, String architecture, boolean fp32, Optional<EpochTimes.Measure> measure) {}

    private final List<RunConfig> runs;
    private final List<Optional<Double>> seconds;
    private final Map<String, Source> sources = new LinkedHashMap<>();

    private TimeEstimate(List<RunConfig> runs, EpochTimes times) {
        this.runs = List.copyOf(runs);
        this.seconds = new ArrayList<>();
        for (RunConfig run : runs) {
            boolean fp32 = EpochTimes.isFp32(run);
            sources.computeIfAbsent(
                    run.dataset() + "/" + run.architecture() + "/" + fp32,
                    k -> new Source(
                            run.dataset(),
                            run.architecture(),
                            fp32,
                            times.perEpoch(run.dataset(), run.architecture(), fp32)));
            seconds.add(times.runSeconds(run));
        }
    }

    /** The estimate of every run of {@code runs}. */
    public static TimeEstimate of(List<RunConfig> runs, EpochTimes times) {
        return new TimeEstimate(runs, times);
    }

    /** The estimate of the run at {@code index}, empty when its architecture is not measured. */
    public Optional<Double> seconds(int index) {
        return seconds.get(index);
    }

    /** The measurement each architecture's runs used, in plan order. */
    public List<Source> sources() {
        return List.copyOf(sources.values());
    }

    /** Seconds of the runs at the indexes {@code include} accepts, one after another. */
    public double total(IntPredicate include) {
        double total = 0;
        for (int i = 0; i < runs.size(); i++) {
            if (include.test(i)) {
                total += seconds.get(i).orElse(0.0);
            }
        }
        return total;
    }

    /** How many runs {@code include} accepts that have no estimate. */
    public int unknown(IntPredicate include) {
        int unknown = 0;
        for (int i = 0; i < runs.size(); i++) {
            if (include.test(i) && seconds.get(i).isEmpty()) {
                unknown++;
            }
        }
        return unknown;
    }

    /** The longest shard's seconds when the plan is cut into {@code count} shards: the wall time of a job array. */
    public double longestShard(int count) {
        double longest = 0;
        for (int index = 1; index <= count; index++) {
            Shard shard = new Shard(index, count);
            longest = Math.max(longest, total(shard::owns));
        }
        return longest;
    }

    /** A duration for people: {@code 45 s}, {@code 12 min}, {@code 6 h 32 min}. */
    public static String duration(double seconds) {
        long s = Math.round(seconds);
        if (s < 90) {
            return s + " s";
        }
        long minutes = Math.round(seconds / 60);
        if (minutes < 90) {
            return minutes + " min";
        }
        return String.format(Locale.ROOT, "%d h %02d min", minutes / 60, minutes % 60);
    }
}
