package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;

/**
 * Stochastic rounding onto an equally spaced alphabet: a value x between neighbouring levels
 * {@code a_i <= x <= a_(i+1)} becomes {@code a_(i+1)} with probability {@code (x - a_i) / (a_(i+1) - a_i)}
 * and {@code a_i} otherwise, so its expectation is x; values beyond the outermost levels are clipped onto
 * them first. For binary {-1, 1} the probability of +1 is BinaryConnect's hard sigmoid
 * {@code clip((x + 1) / 2, 0, 1)}.
 *
 * <p>Kept here rather than in api, which is changing under other hands; the draws come from the run's
 * {@code QuantizationContext}, so they are seeded and resume bit-identically.
 */
final class StochasticRounding {

    private final Alphabet alphabet;
    private final double step;

    StochasticRounding(Alphabet alphabet) {
        this.alphabet = alphabet;
        this.step = alphabet.uniformStep();
        if (Double.isNaN(step)) {
            throw new IllegalArgumentException("Stochastic rounding needs equally spaced levels, got " + alphabet);
        }
    }

    /**
     * The (unscaled) levels of {@code normalized}, rounded up where the draw lies below the distance to the
     * level beneath, as a fraction of the step.
     *
     * @param normalized x in units of the alphabet (weights divided by their scale); consumed
     * @param uniform draws in [0, 1), the shape of {@code normalized}
     * @return the levels, float32, owned by {@code normalized}'s manager
     */
    NDArray roundOverwriting(NDArray normalized, NDArray uniform) {
        // t = clip((x - min) / step, 0, k - 1): the position among the levels, a code with a fraction.
        NDArray position;
        try (NDArray shifted = normalized.subi(EngineScalars.of(alphabet.min())).divi(EngineScalars.of(step));
                NDArray aboveZero = shifted.maximum(EngineScalars.of(0))) {
            position = aboveZero.minimum(EngineScalars.of(alphabet.levels() - 1));
        }
        try (position;
                NDArray lower = position.floor();
                NDArray fraction = position.sub(lower);
                NDArray up = uniform.lt(fraction);
                NDArray carry = up.toType(DataType.FLOAT32, false)) {
            return lower.add(carry).muli(EngineScalars.of(step)).addi(EngineScalars.of(alphabet.min()));
        }
    }
}
