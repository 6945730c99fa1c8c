package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import dev.lowbit.api.AlphabetCodes;
import dev.lowbit.api.EngineScalars;
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
 */
public final class MseScale implements ScaleRule {

    private static final int LLOYD_STEPS = 2;
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
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        // Per tensor the shape does not matter: flatten once rather than in every dot product.
        NDArray w = granularity == Granularity.TENSOR ? ScaleMath.flat(weights) : weights;
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
