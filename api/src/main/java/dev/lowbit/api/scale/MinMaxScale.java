package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;
import java.util.Arrays;

/**
 * The asymmetric (affine) rule of integer quantization (Jacob et al. 2018): the weights' range
 * [min W, max W] is mapped onto the alphabet's [a_min, a_max],
 * <pre>
 *   s = (max W - min W) / (a_max - a_min)
 *   z = a_min - min W / s              rounded to an integer for an integer alphabet
 *   Q(W) = (values(c) - z) * s,   c = nearest(W / s + z)
 * </pre>
 * so the smallest weight lands on a_min and the largest on a_max (up to the rounding of z). Rounding z
 * makes W = 0 land exactly on an alphabet value when the alphabet is integers, so a zero weight stays
 * exactly zero. Suits skewed weights that a symmetric scale would fit badly; costs a second number
 * (the zero point) per scale.
 *
 * <p>The built-in rule {@code minmax}: stateless, so one instance serves every quantizer and thread; it throws
 * nothing of its own.
 */
public final class MinMaxScale implements ScaleRule {

    @Override
    public String id() {
        return "minmax";
    }

    @Override
    public String description() {
        return "asymmetric: s = (max W - min W) / (a_max - a_min) with a zero point z mapping min W to a_min";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        try (NDArray max = ScaleMath.max(weights, granularity);
                NDArray min = ScaleMath.min(weights, granularity);
                NDArray range = max.sub(min);
                NDArray step = range.div(EngineScalars.of(alphabet.max() - alphabet.min()))) {
            return ScaleMath.atLeastMinimum(step);
        }
    }

    @Override
    public boolean affine() {
        return true;
    }

    @Override
    public NDArray zeroPoint(NDArray weights, Alphabet alphabet, Granularity granularity, NDArray scale) {
        try (NDArray min = ScaleMath.min(weights, granularity)) {
            NDArray zero = min.div(scale).negi().addi(EngineScalars.of(alphabet.min()));
            if (!isIntegers(alphabet)) {
                return zero;
            }
            try (zero) {
                // + 0 turns round()'s -0 into +0, so the file stores the zero point it means.
                return zero.round().addi(EngineScalars.of(0));
            }
        }
    }

    private static boolean isIntegers(Alphabet alphabet) {
        return Arrays.stream(alphabet.values()).allMatch(v -> v == Math.rint(v));
    }
}
