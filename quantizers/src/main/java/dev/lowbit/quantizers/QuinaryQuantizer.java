package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Five levels {-2..2}: 2.32 bits per weight, the study's best balance (F5); quaternary plus zero. */
public final class QuinaryQuantizer extends AlphabetQuantizer {

    /** The registered {@code quinary}, under the default scale rule. */
    public QuinaryQuantizer() {
        super("quinary", "5 levels {-2..2}", Alphabet.symmetricWithZero(5));
    }
}
