package dev.lowbit.quantizers;

import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;

/** {@code dorefa:K}: DoReFa-Net's K-bit weights, K from 1 to 8 ({@link DorefaQuantizer}). */
public final class DorefaQuantizerFactory implements QuantizerFactory {

    @Override
    public String name() {
        return "dorefa";
    }

    @Override
    public String description() {
        return "DoReFa-Net K-bit weights, nearest level of tanh W / max|tanh W|, K = 1..8, e.g. dorefa:2"
                + " (Zhou et al. 2016, arXiv:1606.06160)";
    }

    @Override
    public Quantizer create(String parameters) {
        return new DorefaQuantizer(Bits.parse("dorefa", parameters, 1, 8, "dorefa:2"));
    }
}
