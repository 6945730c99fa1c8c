package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import java.util.Objects;

/**
 * Signed b-bit integer activations at absmax, BitNet's (Ma et al. 2024, arXiv:2402.17764) input quantizer:
 * <pre>
 *   Qp = 2^(b-1) - 1,   s = max |x| / Qp   (max |x| clamped at 1e-5, as BitNet's code does)
 *   Qa(x) = clip(round(x / s), -Qp - 1, Qp) s
 * </pre>
 * per token ({@code @absmax/token}, the default) or per tensor ({@code @absmax/tensor}). A token is a
 * slice along the last axis: for inputs of rank up to 3 ({@code (batch, features)},
 * {@code (batch, tokens, features)}) the maximum is taken over the last axis. A convolution's input
 * {@code (batch, channels, height, width)} has no token axis; there the maximum is taken over the
 * channels, one scale per pixel of every example, which is what a token is to a 1x1 convolution.
 */
public abstract class IntActivationQuantizer implements ActivationQuantizer {

    /** BitNet's clamp of max |x|: an all-zero token quantizes to zeros instead of dividing by zero. */
    private static final double MIN_MAXIMUM = 1e-5;

    private final String id;
    private final int bits;
    private final boolean perToken;
    private final int largest;
    private final AlphabetCodes levels;

    /**
     * @param id {@code int8}, {@code int4}
     * @param bits b
     * @param perToken one scale per token, else one per tensor
     */
    protected IntActivationQuantizer(String id, int bits, boolean perToken) {
        this.id = Objects.requireNonNull(id, "id");
        this.bits = bits;
        this.perToken = perToken;
        this.largest = (1 << (bits - 1)) - 1;
        this.levels = new AlphabetCodes(LsqQuantizerFactory.signedLevels(bits));
    }

    /**
     * This quantizer's class with the other granularity.
     *
     * @param perToken one scale per token, else one per tensor
     * @return a new instance of the same class
     */
    protected abstract IntActivationQuantizer withPerToken(boolean perToken);

    /**
     * Whether each token has its own scale ({@code @absmax/token}), rather than the whole input one.
     *
     * @return true per token
     */
    public final boolean perToken() {
        return perToken;
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public String description() {
        return bits + "-bit integer activations, s = max|x| / " + largest + " per token or tensor (BitNet b1.58,"
                + " Ma et al. 2024, arXiv:2402.17764)";
    }

    /** {@code int8@absmax/token} or {@code int8@absmax/tensor}. */
    @Override
    public final String spec() {
        return id + (perToken ? "@absmax/token" : "@absmax/tensor");
    }

    @Override
    public final double bits() {
        return bits;
    }

    /** Takes {@code ""} or {@code @absmax} (per token), {@code @absmax/token} or {@code @absmax/tensor}. */
    @Override
    public final ActivationQuantizer configure(String options) {
        return switch (options) {
            case "", "@absmax", "@absmax/token" -> perToken ? this : withPerToken(true);
            case "@absmax/tensor" -> perToken ? withPerToken(false) : this;
            default ->
                throw new IllegalArgumentException("Activation quantizer '" + id + "' takes '@absmax/token'"
                        + " (the default) or '@absmax/tensor', got '" + options + "'; e.g. " + id + "@absmax/tensor.");
        };
    }

    /** {@code max |x| / Qp} per token (keeping dimensions, so it broadcasts) or per tensor (0-d). */
    @Override
    public NDArray scale(NDArray input, NDList trained) {
        try (NDArray magnitude = input.abs();
                NDArray maximum = perToken ? magnitude.max(new int[] {tokenAxis(input)}, true) : magnitude.max();
                NDArray guarded = maximum.maximum(EngineScalars.of(MIN_MAXIMUM))) {
            return guarded.div(EngineScalars.of(largest));
        }
    }

    /** The axis a token's scale is taken over: the last, or the channels of a 4-d convolution input. */
    private static int tokenAxis(NDArray input) {
        int rank = input.getShape().dimension();
        return rank == 4 ? 1 : Math.max(0, rank - 1);
    }

    /** {@code clip(round(x / s), -Qp - 1, Qp) s}; deterministic. */
    @Override
    public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
        return levels.snapOverwriting(input.div(scale)).muli(scale);
    }

    /** {@code x / (s Qp)}: the largest magnitude at 1. */
    @Override
    public NDArray normalized(NDArray input, NDArray scale) {
        return input.div(scale).divi(EngineScalars.of(largest));
    }

    @Override
    public String toString() {
        return spec();
    }
}
