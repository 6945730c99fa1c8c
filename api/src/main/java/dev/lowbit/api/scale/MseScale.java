package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;

/**
 * The MSE-optimal scale, {@code argmin_s ||W - s * nearest(W / s)||^2} per tensor or channel.
 *
 * <p>Starts at the optimum for Gaussian weights with the tensor's RMS ({@link GaussianScale}),
 * then takes Lloyd steps: with the levels q = nearest(W / s) fixed, the best scale is
 * {@code <W, q> / <q, q>}; each step never increases the error. The step count is a trade of
 * precision for speed: it runs in every training step.
 *
 * <p>Per tensor, small tensors are searched in Java and larger ones (and every per-channel search)
 * with engine ops; the two agree up to float rounding ({@code MseScaleTest}), and a tensor always
 * takes the same path, so training, {@code lowbit export} and {@code lowbit eval} use one scale.
 *
 * <p>The built-in rule {@code mse}: immutable (a cache aside, which is thread-safe), so one instance serves every
 * quantizer and thread; it throws nothing of its own.
 */
public final class MseScale implements ScaleRule {

    private static final int LLOYD_STEPS = 2;
    /**
     * Tensors up to this size are searched in Java: one copy out and one scalar in, instead of
     * about thirty engine ops whose fixed cost (a JNI call and a native array each, ~2 us) is what
     * a small tensor's search pays. Above it the engine's two threads and vector units win.
     */
    static final long SEARCHED_IN_JAVA_UP_TO = 1 << 14;

    private static final GaussianScale START = new GaussianScale();

    @Override
    public String id() {
        return "mse";
    }

    @Override
    public String description() {
        return "s minimising ||W - s*Q(W/s)||^2 (Gaussian start + Lloyd steps): uses every level as k grows";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        if (Granularity.TENSOR.equals(granularity) && weights.size() <= SEARCHED_IN_JAVA_UP_TO) {
            return weights.getManager().create(searchInJava(weights.toFloatArray(), alphabet));
        }
        return searchWithEngineOps(weights, alphabet, granularity);
    }

    /**
     * The same search on a copy of the weights, W / s as W * (1 / s). Sums run in float over blocks
     * of 512 (two interleaved, so the adds do not wait on each other) and in double across blocks.
     */
    static float searchInJava(float[] weights, Alphabet alphabet) {
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        double sumOfSquares = 0;
        for (float w : weights) {
            sumOfSquares += (double) w * w;
        }
        float scale = atLeastMinimum(GaussianOptimalRatio.of(alphabet) * Math.sqrt(sumOfSquares / weights.length));
        for (int step = 0; step < LLOYD_STEPS; step++) {
            float reciprocal = 1 / scale;
            double correlation = 0;
            double energy = 0;
            for (int block = 0; block < weights.length; block += 512) {
                int end = Math.min(weights.length, block + 512);
                float correlationEven = 0;
                float correlationOdd = 0;
                float energyEven = 0;
                float energyOdd = 0;
                int i = block;
                for (; i + 1 < end; i += 2) {
                    float even = codes.nearest(weights[i] * reciprocal);
                    float odd = codes.nearest(weights[i + 1] * reciprocal);
                    correlationEven += weights[i] * even;
                    correlationOdd += weights[i + 1] * odd;
                    energyEven += even * even;
                    energyOdd += odd * odd;
                }
                if (i < end) {
                    float last = codes.nearest(weights[i] * reciprocal);
                    correlationEven += weights[i] * last;
                    energyEven += last * last;
                }
                correlation += (double) correlationEven + correlationOdd;
                energy += (double) energyEven + energyOdd;
            }
            // Where every weight snapped to zero the step is undefined: keep the previous scale.
            if (energy > 0) {
                scale = atLeastMinimum(correlation / energy);
            }
        }
        return scale;
    }

    private static float atLeastMinimum(double scale) {
        return (float) Math.max(scale, ScaleMath.MIN_SCALE);
    }

    static NDArray searchWithEngineOps(NDArray weights, Alphabet alphabet, Granularity granularity) {
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        // Per tensor the shape does not matter: flatten once rather than in every dot product.
        NDArray w = Granularity.TENSOR.equals(granularity) ? ScaleMath.flat(weights) : weights;
        NDArray scale = START.scale(w, alphabet, granularity);
        for (int step = 0; step < LLOYD_STEPS; step++) {
            // Each step's arrays are closed as soon as they are used: their memory is reused, still in cache.
            try (NDArray levels = codes.snapOverwriting(w.div(scale));
                    NDArray correlation = ScaleMath.innerProduct(w, levels, granularity);
                    NDArray energy = ScaleMath.innerProduct(levels, levels, granularity);
                    NDArray defined = energy.gt(EngineScalars.of(0));
                    NDArray guarded = ScaleMath.atLeastMinimum(energy);
                    NDArray ratio = correlation.div(guarded);
                    NDArray next = ScaleMath.atLeastMinimum(ratio)) {
                // Where every weight snapped to zero the step is undefined: keep the previous scale.
                NDArray kept = NDArrays.where(defined, next, scale);
                scale.close();
                scale = kept;
            }
        }
        if (w != weights) {
            w.close();
        }
        return scale;
    }
}
