package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Three levels {-1, 0, +1}: 1.58 bits per weight (BitNet b1.58's absmean rule). */
public final class TernaryQuantizer extends AlphabetQuantizer {

    public TernaryQuantizer() {
        super("ternary", "3 levels with zero (BitNet b1.58 absmean)", Alphabet.symmetricWithZero(3));
    }
}
