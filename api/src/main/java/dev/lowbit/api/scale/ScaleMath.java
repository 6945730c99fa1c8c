package dev.lowbit.api.scale;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Granularity;

/** Reductions shared by the scale rules. */
final class ScaleMath {

    /** Guards the division when a tensor or channel is all zeros. */
    static final float MIN_SCALE = 1e-8f;

    /** {@code max(scale, MIN_SCALE)}. */
    static NDArray atLeastMinimum(NDArray scale) {
        return scale.maximum(EngineScalars.of(MIN_SCALE));
    }

    private ScaleMath() {}

    /** mean(|W|) per tensor (scalar) or per output channel (keeping dimensions). */
    static NDArray meanAbs(NDArray weights, Granularity granularity) {
        return reduce(weights.abs(), granularity, Reduction.MEAN);
    }

    /** max(|W|) per tensor or per output channel. */
    static NDArray maxAbs(NDArray weights, Granularity granularity) {
        return reduce(weights.abs(), granularity, Reduction.MAX);
    }

    /** max(W) per tensor or per output channel. */
    static NDArray max(NDArray weights, Granularity granularity) {
        return reduce(weights, granularity, Reduction.MAX);
    }

    /** min(W) per tensor or per output channel. */
    static NDArray min(NDArray weights, Granularity granularity) {
        return reduce(weights, granularity, Reduction.MIN);
    }

    /** sqrt(mean(W^2)) per tensor or per output channel. */
    static NDArray rootMeanSquare(NDArray weights, Granularity granularity) {
        if (Granularity.TENSOR.equals(granularity)) {
            // One pass that writes nothing: <W, W> / n.
            return innerProduct(weights, weights, granularity)
                    .div(EngineScalars.of((double) weights.size()))
                    .sqrt();
        }
        return reduce(weights.square(), granularity, Reduction.MEAN).sqrt();
    }

    /**
     * sum(a * b) per tensor or per output channel. Per tensor it is one dot product of the
     * flattened arrays (a single pass, no intermediate array); the sum's rounding differs from
     * mul-then-sum only in the last bits.
     */
    static NDArray innerProduct(NDArray a, NDArray b, Granularity granularity) {
        if (Granularity.TENSOR.equals(granularity)) {
            return flat(a).dot(flat(b));
        }
        return reduce(a.mul(b), granularity, Reduction.SUM);
    }

    /** The array as a vector: itself when it already is one (a reshape is an engine call too). */
    static NDArray flat(NDArray array) {
        return array.getShape().dimension() == 1 ? array : array.flatten();
    }

    private enum Reduction {
        MEAN,
        MAX,
        MIN,
        SUM
    }

    private static NDArray reduce(NDArray values, Granularity granularity, Reduction reduction) {
        if (Granularity.TENSOR.equals(granularity)) {
            return switch (reduction) {
                case MEAN -> values.mean();
                case MAX -> values.max();
                case MIN -> values.min();
                case SUM -> values.sum();
            };
        }
        // PyTorch reduces over one axis at a time: one row per channel, reduced over axis 1, then
        // shaped (out, 1, ...) to broadcast against the weights (conv kernels have four axes).
        NDArray rows = granularity.rows(values);
        int[] across = {1};
        NDArray perChannel = switch (reduction) {
            case MEAN -> rows.mean(across, true);
            case MAX -> rows.max(across, true);
            case MIN -> rows.min(across, true);
            case SUM -> rows.sum(across, true);
        };
        return perChannel.reshape(granularity.scaleShape(values.getShape()));
    }

    /** The largest |value| of the alphabet: the level the extreme weights map to. */
    static double outermost(dev.lowbit.api.spi.Alphabet alphabet) {
        return Math.max(Math.abs(alphabet.min()), Math.abs(alphabet.max()));
    }
}
