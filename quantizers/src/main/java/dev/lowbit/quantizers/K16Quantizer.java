package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Sixteen levels {-8..-1, 1..8}: 4 bits per weight, no zero; the zero-free partner of k17. */
public final class K16Quantizer extends AlphabetQuantizer {

    /** The registered {@code k16}, under the default scale rule. */
    public K16Quantizer() {
        super("k16", "16 levels {-8..8} without 0", Alphabet.symmetricWithoutZero(16));
    }
}
