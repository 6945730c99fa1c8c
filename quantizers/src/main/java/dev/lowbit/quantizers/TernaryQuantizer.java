package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Three levels {-1, 0, +1}: 1.58 bits per weight; binary plus zero. */
public final class TernaryQuantizer extends AlphabetQuantizer {

    /** The registered {@code ternary}, under the default scale rule. */
    public TernaryQuantizer() {
        super("ternary", "3 levels {-1,0,1}", Alphabet.symmetricWithZero(3));
    }
}
