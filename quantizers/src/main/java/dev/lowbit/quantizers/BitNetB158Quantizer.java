package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;

/**
 * {@code bitnet-b1.58}: BitNet b1.58 (Ma et al. 2024, arXiv:2402.17764), ternary weights at absmean per
 * tensor with 8-bit per-token activations:
 * <pre>    W~ = RoundClip(W / gamma, -1, 1),   gamma = mean |W|,   Q(W) = gamma W~</pre>
 * The paper writes {@code gamma + eps} (eps = 1e-5) and its released code clamps gamma at 1e-5 instead;
 * lowbit uses its absmean rule as it is, {@code gamma = max(mean |W|, 1e-8)}, so the three agree exactly for
 * any tensor with mean |W| >= 1e-5 but for the paper's formula, whose eps moves gamma by a relative
 * 1e-5 / mean |W| (under 0.1% for mean |W| >= 0.01). Runs that name no activations get
 * {@code int8@absmax/token}.
 */
public final class BitNetB158Quantizer extends AlphabetQuantizer {

    /** The registered {@code bitnet-b1.58}, as {@link java.util.ServiceLoader} creates it. */
    public BitNetB158Quantizer() {
        super(
                "bitnet-b1.58",
                "BitNet b1.58: ternary at s = mean|W|, int8 per-token activations (Ma et al. 2024,"
                        + " arXiv:2402.17764)",
                Alphabet.symmetricWithZero(3),
                ScaleRules.parse("absmean/tensor"));
    }

    @Override
    public String activations() {
        return "int8@absmax/token";
    }
}
