package dev.lowbit.quantizers;

/**
 * {@code int4}: 4-bit integer activations at absmax, per token by default ({@code int4@absmax/token})
 * or per tensor ({@code int4@absmax/tensor}); see {@link IntActivationQuantizer}.
 */
public final class Int4ActivationQuantizer extends IntActivationQuantizer {

    /** The registered {@code int4}, per token; a spec's {@code @absmax/tensor} configures per tensor. */
    public Int4ActivationQuantizer() {
        this(true);
    }

    private Int4ActivationQuantizer(boolean perToken) {
        super("int4", 4, perToken);
    }

    @Override
    protected IntActivationQuantizer withPerToken(boolean perToken) {
        return new Int4ActivationQuantizer(perToken);
    }
}
