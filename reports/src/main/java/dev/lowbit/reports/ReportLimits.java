package dev.lowbit.reports;

import java.util.Locale;

/**
 * How much the report reads and draws. A results folder may come from someone else, so its size is
 * bounded by what a real study holds, not by what its files claim: the paper's grid is 324 runs of 10
 * epochs, each run.json about 5 KB and each epochs.jsonl line under 10 KB. Every limit leaves at least
 * a tenfold margin over that; a run beyond one is skipped with a warning naming the limit, and the rest
 * of the study is still reported. README, "The report", states the same numbers.
 */
public final class ReportLimits {

    /** Largest run.json read: real ones are about 5 KB. */
    public static final long MAX_RUN_FILE_BYTES = 1L << 20;

    /** Largest epochs.jsonl (and config.json) read: 1,000 epochs of 16 KB. */
    public static final long MAX_EPOCHS_FILE_BYTES = 16L << 20;

    /** Most epochs one run may store: the paper trains 10, the quick suite 3. */
    public static final int MAX_EPOCHS = 1_000;

    /** Most runs (finished or in progress) in one report: six times the paper's grid. */
    public static final int MAX_RUNS = 2_000;

    /** Most bytes of run.json, epochs.jsonl and config.json read for one report, all runs together. */
    public static final long MAX_TOTAL_BYTES = 256L << 20;

    /** Most lines (series) in one chart; the runs beyond are in the tables, and the caption says so. */
    public static final int MAX_SERIES_PER_CHART = 100;

    /**
     * Largest count or byte size a stored number may hold (parameters, weights, bytes): 2^50, about a
     * quadrillion, far above any model trained here and far enough below 2^63 that sums cannot overflow.
     */
    public static final long MAX_COUNT = 1L << 50;

    /** Most levels an alphabet may have. */
    public static final int MAX_LEVELS = 1 << 16;

    private ReportLimits() {}

    /** A byte count as the limits are stated: {@code 16 MiB}. */
    static String mebibytes(long bytes) {
        return bytes % (1L << 20) == 0
                ? String.format(Locale.ROOT, "%d MiB", bytes >> 20)
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }
}
