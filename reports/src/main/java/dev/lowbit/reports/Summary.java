package dev.lowbit.reports;

import org.apache.commons.math3.distribution.TDistribution;

/**
 * Mean and 95% confidence interval of a metric over seeds: {@code mean ± t(0.975, n-1) · s / √n}.
 * Student's t rather than 1.96, because studies run 2 to 5 seeds, where the normal interval is far
 * too narrow (t is 12.7 for n = 2, 2.78 for n = 5).
 *
 * @param n number of values
 * @param mean their mean, NaN when {@code n == 0}
 * @param halfWidth half the 95% interval, NaN when {@code n < 2} (one seed says nothing of the spread)
 */
record Summary(int n, double mean, double halfWidth) {

    static final Summary EMPTY = new Summary(0, Double.NaN, Double.NaN);

    static Summary of(double[] values) {
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
        double t = new TDistribution(null, n - 1).inverseCumulativeProbability(0.975);
        return new Summary(n, mean, t * standardError);
    }

    boolean isEmpty() {
        return n == 0;
    }
}
