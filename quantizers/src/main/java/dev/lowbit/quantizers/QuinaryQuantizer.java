package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Five levels {-2, -1, 0, +1, +2}: 2.32 bits per weight, the study's best balance (F5). */
public final class QuinaryQuantizer extends AlphabetQuantizer {

    public QuinaryQuantizer() {
        super("quinary", "5 levels with zero, step mean|w|", Alphabet.symmetricWithZero(5));
    }
}
