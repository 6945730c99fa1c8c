package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;

/**
 * {@code lsq:K}: Learned Step Size Quantization's K-bit weights (Esser et al. 2020, arXiv:1902.08153): the
 * signed integers {@code -2^(K-1) .. 2^(K-1) - 1} with a trained step per tensor, the built-in
 * {@code learned} rule (LSQ's gradient, scaled by {@code 1 / sqrt(n Qp)}). An alphabet quantizer, so
 * {@code lsq:4@learned/channel} trains one step per output channel.
 */
public final class LsqQuantizerFactory implements QuantizerFactory {

    @Override
    public String name() {
        return "lsq";
    }

    @Override
    public String description() {
        return "LSQ K-bit weights, integers -2^(K-1)..2^(K-1)-1 with a trained step, K = 2..8, e.g. lsq:4"
                + " (Esser et al. 2020, arXiv:1902.08153)";
    }

    @Override
    public Quantizer create(String parameters) {
        int bits = Bits.parse("lsq", parameters, 2, 8, "lsq:4");
        return new AlphabetQuantizer(
                "lsq:" + bits,
                "LSQ " + bits + "-bit weights: integers " + signedLevels(bits)
                        + " times a trained step (Esser et al. 2020, arXiv:1902.08153)",
                signedLevels(bits),
                ScaleRules.parse("learned/tensor"));
    }

    /** {@code -2^(K-1) .. 2^(K-1) - 1}. */
    static Alphabet signedLevels(int bits) {
        int negative = 1 << (bits - 1);
        double[] values = new double[1 << bits];
        for (int i = 0; i < values.length; i++) {
            values[i] = i - negative;
        }
        return Alphabet.of(values);
    }
}
