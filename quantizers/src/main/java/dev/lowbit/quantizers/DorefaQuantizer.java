package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.util.Optional;

/**
 * {@code dorefa:K}: DoReFa-Net's K-bit weights (Zhou et al. 2016, arXiv:1606.06160):
 * <pre>    Wq = 2 quantize_K(tanh W / (2 max |tanh W|) + 1/2) - 1,   quantize_K(r) = round((2^K - 1) r) / (2^K - 1)</pre>
 * that is, the nearest of 2^K evenly spaced levels on [-1, 1] to {@code tanh W / max |tanh W|} (per
 * tensor), at scale 1 ({@code unit/tensor}, the scheme's own: it takes no other rule). Its estimator is the
 * derivative of that map, {@link DorefaTanhEstimator}. K = 1 gives {-1, 1} by the same formula (the paper
 * scales its 1-bit weights by mean |W| instead; {@code xnor} is that scheme per channel).
 *
 * <p>Not idempotent for K >= 4: quantizing quantized weights applies tanh again, which moves the inner
 * levels by more than half a step. Training never does so; the packed file stores the codes.
 */
public final class DorefaQuantizer implements Quantizer {

    private static final GradientEstimator TANH = new DorefaTanhEstimator();
    private static final double MIN_MAGNITUDE = 1e-8;

    private final int bits;
    private final AlphabetCodes levels;

    DorefaQuantizer(int bits) {
        this.bits = bits;
        this.levels = new AlphabetCodes(levels(bits));
    }

    /** 2^K evenly spaced values from -1 to 1: {@code 2 i / (2^K - 1) - 1}. */
    static Alphabet levels(int bits) {
        int steps = (1 << bits) - 1;
        double[] values = new double[steps + 1];
        for (int i = 0; i <= steps; i++) {
            values[i] = 2.0 * i / steps - 1;
        }
        return Alphabet.of(values);
    }

    @Override
    public String id() {
        return "dorefa:" + bits;
    }

    @Override
    public String description() {
        return "DoReFa-Net " + bits + "-bit weights: nearest of " + (1 << bits) + " levels on [-1,1] to"
                + " tanh W / max|tanh W| (Zhou et al. 2016, arXiv:1606.06160)";
    }

    @Override
    public Optional<Alphabet> alphabet() {
        return Optional.of(levels.alphabet());
    }

    @Override
    public String scaleRule() {
        return "unit/tensor";
    }

    /** 1: a 0-d float32 array owned by the weights' manager. */
    @Override
    public NDArray scale(NDArray weights) {
        return weights.getManager().create(1f);
    }

    /** The nearest level of {@code tanh W / max |tanh W|}; the scale is 1 by definition and plays no part. */
    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        NDArray tanh = weights.tanh();
        try (NDArray magnitude = tanh.abs();
                NDArray largest = magnitude.max();
                NDArray guarded = largest.maximum(EngineScalars.of(MIN_MAGNITUDE))) {
            return levels.codesOverwriting(tanh.divi(guarded));
        }
    }

    @Override
    public NDArray values(NDArray codes) {
        return levels.values(codes);
    }

    /** DoReFa's gradient: the derivative of tanh W / max |tanh W| with the maximum held constant. */
    @Override
    public GradientEstimator estimator() {
        return TANH;
    }

    @Override
    public String toString() {
        return spec() + " " + levels.alphabet();
    }
}
