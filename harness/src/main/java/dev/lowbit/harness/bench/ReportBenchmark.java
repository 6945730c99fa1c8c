package dev.lowbit.harness.bench;

import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.reports.ReportWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Times {@link ReportWriter#write} over many stored runs: the runs are copied into a temporary folder
 * until there are enough, one report is written to warm up the JVM (class loading, the template, JIT),
 * then each timed report is written exactly as {@code lowbit report} writes it. The folder is deleted
 * afterwards, also when something fails.
 */
public final class ReportBenchmark {

    private final RunReplicator source;
    private final Consumer<String> progress;

    /**
     * @param source the stored runs to copy
     * @param progress receives one plain line per step (copying, warm-up, each timed report)
     */
    public ReportBenchmark(RunReplicator source, Consumer<String> progress) {
        this.source = source;
        this.progress = progress;
    }

    /** Writes the report over {@code runs} runs once untimed, then {@code repeats} times timed. */
    public ReportTimings measure(int runs, int repeats) {
        if (runs < 1 || repeats < 1) {
            throw new IllegalArgumentException("runs and repeats must be >= 1, got " + runs + ", " + repeats);
        }
        try (ScratchDirectory scratch = ScratchDirectory.create("lowbit-bench-report-")) {
            Path results = scratch.path().resolve("results");
            Path page = scratch.path().resolve(StoreLayout.REPORT_FOLDER).resolve(StoreLayout.REPORT_PAGE);
            int copies = source.copiesFor(runs);
            progress.accept("Copying " + source.sourceRuns() + " stored runs into " + runs + " (" + copies
                    + (copies == 1 ? " copy" : " copies") + ") under " + scratch.path());
            source.replicate(results, runs);

            ReportWriter writer = new ReportWriter();
            double warmUp = time(writer, results, page);
            progress.accept("Warm-up report: " + seconds(warmUp));
            List<Double> seconds = new ArrayList<>();
            for (int i = 1; i <= repeats; i++) {
                seconds.add(time(writer, results, page));
                progress.accept("Report " + i + "/" + repeats + ": " + seconds(seconds.get(i - 1)));
            }
            return new ReportTimings(runs, source.sourceRuns(), copies, warmUp, seconds, scratch.path());
        }
    }

    private static double time(ReportWriter writer, Path results, Path page) {
        long start = System.nanoTime();
        writer.write(results, page);
        return (System.nanoTime() - start) / 1e9;
    }

    private static String seconds(double value) {
        return String.format(Locale.ROOT, "%.3f s", value);
    }
}
