package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;

/**
 * {@code s = max(|W|) / max|alphabet|}: the largest weight lands exactly on the outermost level, nothing clips.
 *
 * <p>The built-in rule {@code absmax}: stateless, so one instance serves every quantizer and thread; it throws
 * nothing of its own.
 */
public final class AbsMaxScale implements ScaleRule {

    @Override
    public String id() {
        return "absmax";
    }

    @Override
    public String description() {
        return "s = max|W| / max|value|: no clipping, coarse steps when weights have outliers";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        return ScaleMath.atLeastMinimum(
                ScaleMath.maxAbs(weights, granularity).div(EngineScalars.of(ScaleMath.outermost(alphabet))));
    }
}
