package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Optional;

/**
 * {@code xnor}: XNOR-Net's binary weights (Rastegari et al. 2016, arXiv:1603.05279),
 * <pre>    Wb = alpha sign(W),   alpha = mean |W| per output channel</pre>
 * The per-channel mean is the scheme's definition (the alpha that minimises ||W - alpha B||^2 for binary
 * B), so it takes no other scale rule: {@code binary@absmean/channel} is the same computation under a
 * name that does. Written around an {@link AlphabetQuantizer} rather than extending it, because an
 * alphabet quantizer promises every rule.
 */
public final class XnorQuantizer implements Quantizer {

    private final AlphabetQuantizer binary =
            new AlphabetQuantizer("xnor", "", Alphabet.of(-1, 1), ScaleRules.parse("absmean/channel"));

    @Override
    public String id() {
        return "xnor";
    }

    @Override
    public String description() {
        return "XNOR-Net: Wb = alpha sign(W), alpha = mean|W| per output channel (Rastegari et al. 2016,"
                + " arXiv:1603.05279)";
    }

    @Override
    public Optional<Alphabet> alphabet() {
        return binary.alphabet();
    }

    /** {@code absmean/channel}, fixed. */
    @Override
    public String scaleRule() {
        return binary.scaleRule();
    }

    @Override
    public NDArray scale(NDArray weights) {
        return binary.scale(weights);
    }

    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        return binary.codes(weights, scale);
    }

    @Override
    public NDArray values(NDArray codes) {
        return binary.values(codes);
    }

    @Override
    public NDArray decode(NDArray codes, NDArray scale) {
        return binary.decode(codes, scale);
    }

    @Override
    public NDArray quantize(NDArray weights, NDArray scale) {
        return binary.quantize(weights, scale);
    }

    @Override
    public long scaleCount(long[] shape) {
        return binary.scaleCount(shape);
    }

    @Override
    public String toString() {
        return spec() + " " + binary.alphabet().orElseThrow();
    }
}
