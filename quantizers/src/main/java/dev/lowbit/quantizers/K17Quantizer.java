package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Seventeen levels {-8..8}: 4.08 bits per weight, the study's largest alphabet; k16 plus zero. */
public final class K17Quantizer extends AlphabetQuantizer {

    /** The registered {@code k17}, under the default scale rule. */
    public K17Quantizer() {
        super("k17", "17 levels {-8..8}", Alphabet.symmetricWithZero(17));
    }
}
