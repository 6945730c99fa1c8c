package dev.lowbit.quantizers;

/**
 * {@code int8}: 8-bit integer activations at absmax, per token by default ({@code int8@absmax/token})
 * or per tensor ({@code int8@absmax/tensor}); see {@link IntActivationQuantizer}. BitNet b1.58's input
 * quantizer (Ma et al. 2024, arXiv:2402.17764).
 */
public final class Int8ActivationQuantizer extends IntActivationQuantizer {

    /** The registered {@code int8}, per token; a spec's {@code @absmax/tensor} configures per tensor. */
    public Int8ActivationQuantizer() {
        this(true);
    }

    private Int8ActivationQuantizer(boolean perToken) {
        super("int8", 8, perToken);
    }

    @Override
    protected IntActivationQuantizer withPerToken(boolean perToken) {
        return new Int8ActivationQuantizer(perToken);
    }
}
