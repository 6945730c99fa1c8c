package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;

/**
 * {@code dorefa:K}: DoReFa-Net's K-bit activations (Zhou et al. 2016, arXiv:1606.06160), unsigned on [0, 1]:
 * <pre>    Qa(x) = round(clip(x, 0, 1) (2^K - 1)) / (2^K - 1)</pre>
 * The step is fixed, 1 / (2^K - 1), and the formula is computed as written. Its estimator is the clipped
 * straight-through one: 1 on [0, 1] (the clip's gradient), which in its units (0 and 1 at -1 and +1) is
 * {@code clipped}.
 */
public final class DorefaActivationQuantizer extends BitCountActivationQuantizer {

    private static final GradientEstimator CLIPPED = new ClippedEstimator();

    /** 2^K - 1. */
    private final int steps;

    /** The registered {@code dorefa}, at its default bit count; a spec's {@code :K} configures another. */
    public DorefaActivationQuantizer() {
        this(DEFAULT_BITS);
    }

    private DorefaActivationQuantizer(int bits) {
        super("dorefa", 1, bits, unsignedLevels(bits));
        this.steps = (1 << bits) - 1;
    }

    @Override
    public String description() {
        return "DoReFa-Net K-bit activations: round(clip(x, 0, 1) (2^K - 1)) / (2^K - 1), K = 1..8"
                + " (Zhou et al. 2016, arXiv:1606.06160)";
    }

    @Override
    protected ActivationQuantizer withBits(int otherBits) {
        return new DorefaActivationQuantizer(otherBits);
    }

    @Override
    public GradientEstimator estimator() {
        return CLIPPED;
    }

    /** The fixed step {@code 1 / (2^K - 1)}, a 0-d float32 array owned by the input's manager. */
    @Override
    public NDArray scale(NDArray input, NDList trained) {
        return input.getManager().create(1f / steps);
    }

    /** {@code round(clip(x, 0, 1) n) / n}, n = 2^K - 1, whatever the scale (it is fixed). */
    @Override
    public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
        // clip(x n, 0, n) rounds like clip(x, 0, 1) n: the products agree inside, the bounds outside.
        return levels.snapOverwriting(input.mul(EngineScalars.of(steps))).divi(EngineScalars.of(steps));
    }

    /** {@code 2 x - 1}: 0 and 1 at -1 and +1. */
    @Override
    public NDArray normalized(NDArray input, NDArray scale) {
        return input.mul(EngineScalars.of(2)).subi(EngineScalars.of(1));
    }

    @Override
    public String toString() {
        return spec();
    }
}
