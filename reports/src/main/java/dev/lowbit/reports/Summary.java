package dev.lowbit.reports;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Mean and confidence interval of a metric over seeds: {@code mean ± t((1 + c) / 2, n-1) · s / √n}
 * at confidence level c (95% unless the report is told otherwise). Student's t rather than 1.96,
 * because studies run 2 to 5 seeds, where the normal interval is far too narrow (at 95%, t is 12.7
 * for n = 2, 4.30 for n = 3, 2.78 for n = 5).
 *
 * @param n number of values
 * @param mean their mean, NaN when {@code n == 0}
 * @param halfWidth half the interval, NaN when {@code n < 2} (one seed says nothing of the spread)
 */
record Summary(int n, double mean, double halfWidth) {

    static final Summary EMPTY = new Summary(0, Double.NaN, Double.NaN);

    /** At 95%. */
    static Summary of(double[] values) {
        return of(values, ReportOptions.DEFAULT_CONFIDENCE);
    }

    static Summary of(double[] values, double confidence) {
        int n = values.length;
        if (n == 0) {
            return EMPTY;
        }
        double mean = 0;
        for (double value : values) {
            mean += value;
        }
        mean /= n;
        if (n < 2) {
            return new Summary(n, mean, Double.NaN);
        }
        double squares = 0;
        for (double value : values) {
            squares += (value - mean) * (value - mean);
        }
        double standardError = Math.sqrt(squares / (n - 1) / n);
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability((1 + confidence) / 2);
        return new Summary(n, mean, t * standardError);
    }

    /** The interval's lower end; NaN below two values. */
    double low() {
        return mean - halfWidth;
    }

    /** The interval's upper end; NaN below two values. */
    double high() {
        return mean + halfWidth;
    }

    boolean isEmpty() {
        return n == 0;
    }
}
