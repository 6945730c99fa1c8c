package dev.lowbit.api.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;

/**
 * Snapping to an alphabet with engine ops: normalised weights to codes (0 = smallest value) and
 * codes back to values. Packing stores the codes; training and {@code lowbit eval} both turn codes
 * into weights through {@link #values}, so a reloaded model computes bit-identical weights.
 *
 * <p>Three cases, from cheapest: consecutive integers ({-1,0,1}, {-8..8}: the nearest value is
 * {@code clip(round(x), min, max)} and the code that minus min), other equal spacings (round and
 * clip {@code (x - min) / step}), and unequal spacings (count the midpoints below x). Halfway cases
 * go to the even value for consecutive integers, to the even code for other equal spacings and to
 * the smaller value for unequal spacings.
 *
 * <p>Constants come from {@link EngineScalars}: float32 (DJL turns a Java double into a float64
 * scalar, which would promote 0-dimensional, per-tensor, results to float64) and made once.
 * Methods named {@code ...Overwriting} take an array the caller hands over (e.g. a fresh
 * {@code W / s}): it is overwritten or closed, so a result costs one array fewer, and native
 * memory is freed while it is still in cache for the next op to reuse.
 *
 * <p>An engine helper of {@link dev.lowbit.api.AlphabetQuantizer} (a quantizer that extends it snaps through it without
 * naming it). Immutable after construction, so one instance may serve every call. Its results are owned by
 * the manager of the array they were computed from.
 */
public final class AlphabetCodes {

    /** 1.5 * 2^23: see {@link #roundAndClipOverwriting}. */
    private static final float ROUNDING_SHIFT = 12582912f;
    /** The shift rounds exactly below this magnitude; wider bounds (millions of levels) use round(). */
    private static final double LARGEST_ROUNDED = 1 << 22;

    /** Elements from which one clip pass beats maximum + minimum: see {@link #clip}. */
    private static final long CLIP_IN_ONE_PASS_FROM = 1 << 18;

    private final Alphabet alphabet;
    private final double uniformStep;
    private final boolean consecutiveIntegers;
    /** The values and the midpoints between them, as float32 (the engine's and {@link #nearest}'s). */
    private final float[] values;

    private final float[] midpoints;
    private final boolean nearestByShift;
    /**
     * Whether {@code code * step + min} in float32 gives exactly {@code (float) value} for every code:
     * then {@link #values} computes instead of looking up. True for integer and most dyadic alphabets; an
     * alphabet such as {@code -0.3,-0.1,0.1,0.3} looks its values up, so that decoding always gives
     * {@code (float) alphabet[c]}, the value the packed file's generic decode uses.
     */
    private final boolean valuesByArithmetic;

    /**
     * The snapping of one alphabet, with its float32 values and midpoints computed once.
     *
     * @param alphabet the values to snap to
     */
    public AlphabetCodes(Alphabet alphabet) {
        this.alphabet = alphabet;
        this.uniformStep = alphabet.uniformStep();
        this.consecutiveIntegers = uniformStep == 1 && alphabet.min() == Math.rint(alphabet.min());
        this.values = toFloats(alphabet.values());
        this.midpoints = new float[values.length - 1];
        for (int i = 1; i < values.length; i++) {
            midpoints[i - 1] = (float) ((alphabet.value(i - 1) + alphabet.value(i)) / 2);
        }
        this.nearestByShift = consecutiveIntegers && Math.max(-alphabet.min(), alphabet.max()) < LARGEST_ROUNDED;
        this.valuesByArithmetic = !Double.isNaN(uniformStep) && arithmeticIsExact(values, uniformStep);
    }

    /** Whether the engine's {@code code + min} (step 1) or {@code code * step + min} is each value exactly. */
    private static boolean arithmeticIsExact(float[] values, double step) {
        float min = values[0];
        float stepAsFloat = (float) step;
        for (int code = 0; code < values.length; code++) {
            float computed = step == 1 ? code + min : code * stepAsFloat + min;
            if (computed != values[code]) {
                return false;
            }
        }
        return true;
    }

    /**
     * The alphabet.
     *
     * @return the alphabet this snaps to
     */
    public Alphabet alphabet() {
        return alphabet;
    }

    /**
     * The code of every element's nearest value, as float32 integers in [0, k).
     *
     * @param normalized the weights in alphabet units ({@code W / s}), left unchanged
     * @return the codes, the shape of {@code normalized}
     */
    public NDArray codes(NDArray normalized) {
        return codesOverwriting(normalized.duplicate());
    }

    /**
     * {@link #codes} of an array the caller hands over.
     *
     * @param normalized the weights in alphabet units, handed over: overwritten or closed
     * @return the codes, the shape of {@code normalized}
     */
    public NDArray codesOverwriting(NDArray normalized) {
        if (consecutiveIntegers) {
            return nearestIntegerOverwriting(normalized).subi(EngineScalars.of(alphabet.min()));
        }
        if (!Double.isNaN(uniformStep)) {
            normalized.subi(EngineScalars.of(alphabet.min()));
            if (uniformStep != 1) {
                normalized.divi(EngineScalars.of(uniformStep));
            }
            return roundAndClipOverwriting(normalized, 0, alphabet.levels() - 1);
        }
        try (normalized) {
            return midpointCodes(normalized);
        }
    }

    /**
     * {@link #values} of codes the caller hands over (e.g. fresh from {@link #codes}).
     *
     * @param codes float32 codes in [0, k), handed over: overwritten or closed
     * @return the unscaled values, the shape of {@code codes}
     */
    public NDArray valuesOverwriting(NDArray codes) {
        if (!valuesByArithmetic) {
            try (codes) {
                return values(codes);
            }
        }
        if (uniformStep == 1) {
            return codes.addi(EngineScalars.of(alphabet.min()));
        }
        return codes.muli(EngineScalars.of(uniformStep)).addi(EngineScalars.of(alphabet.min()));
    }

    /**
     * The alphabet value of every code (unscaled), exactly {@code (float) alphabet[c]}.
     *
     * @param codes float32 codes in [0, k), left unchanged
     * @return the unscaled values, the shape of {@code codes}
     */
    public NDArray values(NDArray codes) {
        if (!valuesByArithmetic) {
            NDArray table = codes.getManager().create(values);
            return table.take(codes.toType(DataType.INT64, false));
        }
        if (uniformStep == 1) {
            return codes.add(EngineScalars.of(alphabet.min()));
        }
        return codes.mul(EngineScalars.of(uniformStep)).addi(EngineScalars.of(alphabet.min()));
    }

    /**
     * Every element replaced by its nearest alphabet value (unscaled): {@code values(codes(x))}.
     *
     * @param normalized the weights in alphabet units ({@code W / s}), left unchanged
     * @return the nearest values, the shape of {@code normalized}
     */
    public NDArray snap(NDArray normalized) {
        return snapOverwriting(normalized.duplicate());
    }

    /**
     * {@link #snap} of an array the caller hands over.
     *
     * @param normalized the weights in alphabet units, handed over: overwritten or closed
     * @return the nearest values, the shape of {@code normalized}
     */
    public NDArray snapOverwriting(NDArray normalized) {
        if (consecutiveIntegers) {
            // values(codes(x)) without subtracting min and adding it back: the same bits.
            return nearestIntegerOverwriting(normalized);
        }
        return valuesOverwriting(codesOverwriting(normalized));
    }

    /**
     * Stochastic rounding onto the alphabet, for training with a scheme that rounds at random: each
     * element x, first clipped to [min, max], lies between neighbouring values {@code a_i <= x <= a_(i+1)}
     * and goes up to {@code a_(i+1)} with probability
     * <pre>    p = (x - a_i) / (a_(i+1) - a_i)</pre>
     * that is, when its uniform draw {@code u < p}; otherwise down to {@code a_i}. The expected value is x
     * (within the range). For binary {@code {-1, 1}} this is BinaryConnect's stochastic binarisation
     * (Courbariaux et al. 2015): +1 with probability {@code hard_sigmoid(x) = clip((x + 1) / 2, 0, 1)}.
     *
     * @param normalized the weights in alphabet units ({@code W / s}), handed over: overwritten or closed
     * @param uniform draws in [0, 1), one per element (e.g. {@link dev.lowbit.api.spi.QuantizationContext#uniform});
     *     left as it is
     * @return the alphabet values (float32, unscaled) in the shape of {@code normalized}
     */
    public NDArray snapStochasticOverwriting(NDArray normalized, NDArray uniform) {
        return valuesOverwriting(codesStochasticOverwriting(normalized, uniform));
    }

    /**
     * The codes {@link #snapStochasticOverwriting} rounds to, as float32 integers in [0, k).
     *
     * @param normalized the weights in alphabet units ({@code W / s}), handed over: overwritten or closed
     * @param uniform draws in [0, 1), one per element; left as it is
     * @return the codes, the shape of {@code normalized}
     */
    public NDArray codesStochasticOverwriting(NDArray normalized, NDArray uniform) {
        try (normalized;
                NDArray x = clip(normalized, alphabet.min(), alphabet.max())) {
            if (!Double.isNaN(uniformStep)) {
                // Position in steps above min; clipped again, as (max - min) / step may round past k - 1.
                x.subi(EngineScalars.of(alphabet.min()));
                if (uniformStep != 1) {
                    x.divi(EngineScalars.of(uniformStep));
                }
                try (NDArray steps = clip(x, 0, alphabet.levels() - 1)) {
                    NDArray lower = steps.floor();
                    try (NDArray fraction = steps.sub(lower)) {
                        return roundedUp(lower, fraction, uniform);
                    }
                }
            }
            // Unequal spacing: a_i is the largest of a_0 .. a_(k-2) at or below x.
            NDArray lower = x.zerosLike();
            for (int i = 1; i < values.length - 1; i++) {
                try (NDArray atOrAbove = x.gte(EngineScalars.of(values[i]));
                        NDArray counted = atOrAbove.toType(DataType.FLOAT32, false)) {
                    lower.addi(counted);
                }
            }
            try (NDArray table = x.getManager().create(values);
                    NDArray index = lower.toType(DataType.INT64, false);
                    NDArray next = index.add(1);
                    NDArray low = table.take(index);
                    NDArray high = table.take(next);
                    NDArray above = x.sub(low);
                    NDArray gap = high.sub(low);
                    NDArray fraction = above.div(gap)) {
                return roundedUp(lower, fraction, uniform);
            }
        }
    }

    /** {@code lower + (uniform < fraction ? 1 : 0)}, in place on {@code lower}. */
    private static NDArray roundedUp(NDArray lower, NDArray fraction, NDArray uniform) {
        try (NDArray up = uniform.lt(fraction);
                NDArray step = up.toType(DataType.FLOAT32, false)) {
            return lower.addi(step);
        }
    }

    /**
     * The nearest alphabet value of one number, in Java, for work on a copy of the weights (the
     * MSE search of small tensors). The same value {@link #snap} gives, halfway cases aside: they go
     * to the even value for consecutive integers, as there, and to the smaller value otherwise.
     *
     * @param x a number in alphabet units
     * @return the nearest alphabet value, as float32
     */
    public float nearest(float x) {
        if (nearestByShift) {
            // The same clip and shift as roundAndClipOverwriting, in float32 like the engine's.
            return Math.max(values[0], Math.min(values[values.length - 1], x)) + ROUNDING_SHIFT - ROUNDING_SHIFT;
        }
        int code = 0;
        while (code < midpoints.length && x > midpoints[code]) {
            code++;
        }
        return values[code];
    }

    /** clip(round(x), min, max) for an alphabet of consecutive integers. */
    private NDArray nearestIntegerOverwriting(NDArray normalized) {
        return roundAndClipOverwriting(normalized, alphabet.min(), alphabet.max());
    }

    /**
     * clip(round(x), low, high) for integer bounds, x consumed: clipped first (the same for integer
     * bounds), then rounded in place by adding and subtracting 1.5 * 2^23. Float32 addition rounds
     * to nearest, halfway cases to even, exactly as round() does for magnitudes below 2^22, with
     * two in-place ops instead of a new array; and it gives +0 where round() gives -0 (for x in
     * (-0.5, 0)), so snapped values equal decoded codes bit for bit.
     */
    private static NDArray roundAndClipOverwriting(NDArray x, double low, double high) {
        try (x) {
            NDArray clipped = clip(x, low, high);
            if (Math.max(-low, high) >= LARGEST_ROUNDED) {
                try (clipped) {
                    return clipped.round();
                }
            }
            return clipped.addi(EngineScalars.of(ROUNDING_SHIFT)).subi(EngineScalars.of(ROUNDING_SHIFT));
        }
    }

    /**
     * clip(x, low, high) the cheaper way for its size. DJL's clip makes two arrays for its bounds on
     * every call (about 20 us in all, ten times a small op), then does one pass; maximum and minimum
     * with shared constants cost two small ops but two passes. Measured on this project's 2-core
     * machine, one pass over 2^18 floats costs about what clip's bounds cost.
     */
    private static NDArray clip(NDArray x, double low, double high) {
        if (x.size() >= CLIP_IN_ONE_PASS_FROM) {
            return x.clip(low, high);
        }
        try (NDArray aboveLow = x.maximum(EngineScalars.of(low))) {
            return aboveLow.minimum(EngineScalars.of(high));
        }
    }

    private NDArray midpointCodes(NDArray normalized) {
        // Unequal spacing: count the midpoints each value lies above.
        NDArray codes = normalized.zerosLike();
        for (float midpoint : midpoints) {
            try (NDArray above = normalized.gt(EngineScalars.of(midpoint));
                    NDArray counted = above.toType(DataType.FLOAT32, false)) {
                codes.addi(counted);
            }
        }
        return codes;
    }

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
