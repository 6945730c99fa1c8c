package dev.lowbit.harness.bench;

import java.nio.file.Path;
import java.util.List;

/**
 * What one report benchmark measured.
 *
 * @param runs the runs each timed report was written over
 * @param sourceRuns the stored runs they were copied from
 * @param copies how many copies of those runs it took (the last one possibly partial)
 * @param warmUpSeconds the time of the untimed first report: the JVM's first, with class loading and
 *     no compiled code yet, closest to what a one-off {@code lowbit report} costs after start-up
 * @param seconds the wall-clock time of each timed report, in order (the warm-up is not among them)
 * @param scratch the temporary folder the copies and reports were written to (deleted by now)
 */
public record ReportTimings(
        int runs, int sourceRuns, int copies, double warmUpSeconds, List<Double> seconds, Path scratch) {

    /** Copies the times; there is at least one. */
    public ReportTimings {
        seconds = List.copyOf(seconds);
        if (seconds.isEmpty()) {
            throw new IllegalArgumentException("no timed report");
        }
    }

    /** The median time: robust against a repeat slowed by other work on a shared machine. */
    public double medianSeconds() {
        List<Double> sorted = seconds.stream().sorted().toList();
        int middle = sorted.size() / 2;
        return sorted.size() % 2 == 1 ? sorted.get(middle) : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
    }

    /** The fastest time: the closest to what the code costs when nothing else competes for the cores. */
    public double minSeconds() {
        return seconds.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
    }

    /** The median time per run, in milliseconds. */
    public double medianMillisPerRun() {
        return 1000 * medianSeconds() / runs;
    }
}
