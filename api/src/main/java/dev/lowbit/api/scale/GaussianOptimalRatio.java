package dev.lowbit.api.scale;

import dev.lowbit.api.spi.Alphabet;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The scale that minimises the mean squared quantization error of a standard normal variable,
 * <pre>    c* = argmin_c  E[(x - c * nearest(x / c))^2],  x ~ N(0, 1)</pre>
 * computed once per alphabet by numerical integration. It starts the MSE search: trained weights
 * are roughly Gaussian, so {@code c* * rms(W)} is already close to their optimum.
 */
final class GaussianOptimalRatio {

    private static final Map<Alphabet, Double> CACHE = new ConcurrentHashMap<>();
    private static final double RANGE = 9;
    private static final int POINTS = 6001;

    private GaussianOptimalRatio() {}

    /** c* for this alphabet. */
    static double of(Alphabet alphabet) {
        return CACHE.computeIfAbsent(alphabet, GaussianOptimalRatio::search);
    }

    private static double search(Alphabet alphabet) {
        double[] values = alphabet.values();
        double[] x = new double[POINTS];
        double[] density = new double[POINTS];
        double dx = 2 * RANGE / (POINTS - 1);
        for (int i = 0; i < POINTS; i++) {
            x[i] = -RANGE + i * dx;
            density[i] = Math.exp(-x[i] * x[i] / 2) / Math.sqrt(2 * Math.PI) * dx;
        }
        // A coarse log-spaced scan finds the basin; golden-section search polishes it.
        double best = 0;
        double bestError = Double.POSITIVE_INFINITY;
        for (int i = 0; i <= 400; i++) {
            double c = Math.exp(Math.log(1e-3) + i * (Math.log(10) - Math.log(1e-3)) / 400);
            double error = error(c, values, x, density);
            if (error < bestError) {
                bestError = error;
                best = c;
            }
        }
        double step = Math.exp((Math.log(10) - Math.log(1e-3)) / 400);
        double low = best / step;
        double high = best * step;
        double ratio = (Math.sqrt(5) - 1) / 2;
        for (int i = 0; i < 60; i++) {
            double a = high - ratio * (high - low);
            double b = low + ratio * (high - low);
            if (error(a, values, x, density) < error(b, values, x, density)) {
                high = b;
            } else {
                low = a;
            }
        }
        return (low + high) / 2;
    }

    private static double error(double c, double[] values, double[] x, double[] density) {
        double total = 0;
        for (int i = 0; i < x.length; i++) {
            double difference = x[i] - c * nearest(x[i] / c, values);
            total += difference * difference * density[i];
        }
        return total;
    }

    private static double nearest(double value, double[] sorted) {
        int low = 0;
        int high = sorted.length - 1;
        while (high - low > 1) {
            int middle = (low + high) >>> 1;
            if (sorted[middle] <= value) {
                low = middle;
            } else {
                high = middle;
            }
        }
        return Math.abs(value - sorted[low]) <= Math.abs(sorted[high] - value) ? sorted[low] : sorted[high];
    }
}
