package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Two levels {-1, +1}: 1 bit per weight, no zero (BinaryConnect / XNOR-Net with absmean scale). */
public final class BinaryQuantizer extends AlphabetQuantizer {

    public BinaryQuantizer() {
        super("binary", "2 levels, no zero: sign(w) * mean|w|", Alphabet.of(-1, 1));
    }
}
