package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;

/**
 * LSQ (Esser et al., 2020): the scale is a trained parameter. It starts at the MSE-optimal scale of
 * the initial weights; its gradient is scaled by {@code 1 / sqrt(n * max|value|)} as in LSQ.
 *
 * <p>The built-in rule {@code learned}: stateless, so one instance serves every quantizer and thread; it throws
 * nothing of its own.
 */
public final class LearnedScale implements ScaleRule {

    private final MseScale initial = new MseScale();

    @Override
    public String id() {
        return "learned";
    }

    @Override
    public String description() {
        return "s a trained parameter (LSQ), started at the MSE-optimal scale";
    }

    @Override
    public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
        return initial.scale(weights, alphabet, granularity);
    }

    @Override
    public boolean learned() {
        return true;
    }
}
