package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Four levels {-2, -1, +1, +2}: 2 bits per weight, no zero; the zero-free partner of quinary. */
public final class QuaternaryQuantizer extends AlphabetQuantizer {

    /** The registered {@code quaternary}, under the default scale rule. */
    public QuaternaryQuantizer() {
        super("quaternary", "4 levels {-2,-1,1,2}, no zero", Alphabet.symmetricWithoutZero(4));
    }
}
