package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;

/**
 * BitNet b1.58's rule, {@code s = mean(|W|)}, whatever the alphabet. Natural for ternary; for large
 * alphabets the outer levels sit far in the tails (17 levels reach 8 mean|w|, about 6.4 sigma) and go unused.
 *
 * <p>The built-in rule {@code absmean}: stateless, so one instance serves every quantizer and thread; it throws
 * nothing of its own.
 */
public final class AbsMeanScale implements ScaleRule {

    @Override
    public String id() {
        return "absmean";
    }

    @Override
    public String description() {
        return "s = mean|W| (BitNet b1.58), the same step for every alphabet";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        return ScaleMath.atLeastMinimum(ScaleMath.meanAbs(weights, granularity));
    }
}
