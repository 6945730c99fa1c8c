package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;

/**
 * {@code s = c*(alphabet) * rms(W)}, with c* the step that minimises the squared error for Gaussian
 * weights ({@link GaussianOptimalRatio}): the MSE-optimal scale under the assumption that weights
 * are normal, at the cost of one reduction. It adapts to k (wider alphabets get finer steps).
 *
 * <p>The built-in rule {@code gauss}: immutable (a cache aside, which is thread-safe), so one instance serves every
 * quantizer and thread; it throws nothing of its own.
 */
public final class GaussianScale implements ScaleRule {

    @Override
    public String id() {
        return "gauss";
    }

    @Override
    public String description() {
        return "s = c_k * rms(W), c_k the MSE-optimal step for Gaussian weights: adapts to k, one reduction";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        return ScaleMath.atLeastMinimum(ScaleMath.rootMeanSquare(weights, granularity)
                .mul(EngineScalars.of(GaussianOptimalRatio.of(alphabet))));
    }
}
