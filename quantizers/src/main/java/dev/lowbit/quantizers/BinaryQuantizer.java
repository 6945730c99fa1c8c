package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Two levels {-1, +1}: 1 bit per weight, no zero; the zero-free partner of ternary. */
public final class BinaryQuantizer extends AlphabetQuantizer {

    /** The registered {@code binary}, under the default scale rule. */
    public BinaryQuantizer() {
        super("binary", "2 levels {-1,1}, no zero", Alphabet.symmetricWithoutZero(2));
    }
}
