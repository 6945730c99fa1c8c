package dev.lowbit.harness.bench;

/**
 * A goal for report generation: {@code runs} stored runs rendered in under {@code seconds}. The
 * report's work grows with the run count, so a measurement over another count is compared with the
 * goal scaled linearly to that count ({@link #budgetFor}).
 *
 * @param runs the run count the goal is stated for
 * @param seconds the time the report must stay under at that count
 */
public record ReportTarget(int runs, double seconds) {

    /** The project's goal: 500 stored runs in under 10 s. */
    public static final ReportTarget GOAL = new ReportTarget(500, 10.0);

    /** Checks the goal makes sense. */
    public ReportTarget {
        if (runs < 1 || !(seconds > 0)) {
            throw new IllegalArgumentException(
                    "a target needs runs >= 1 and seconds > 0, got " + runs + ", " + seconds);
        }
    }

    /** The goal's time scaled linearly to {@code runCount} runs. */
    public double budgetFor(int runCount) {
        return seconds * runCount / runs;
    }

    /** How much of its budget a report over {@code runCount} runs used: below 1 meets the goal. */
    public double ratio(double measuredSeconds, int runCount) {
        return measuredSeconds / budgetFor(runCount);
    }

    /** {@code 500 runs < 10 s}. */
    @Override
    public String toString() {
        return runs + " runs < "
                + (seconds == Math.rint(seconds) ? Long.toString((long) seconds) : Double.toString(seconds)) + " s";
    }
}
