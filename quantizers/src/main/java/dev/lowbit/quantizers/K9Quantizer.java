package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Nine levels {-4..4}: 3.17 bits per weight; k8 plus zero. */
public final class K9Quantizer extends AlphabetQuantizer {

    /** The registered {@code k9}, under the default scale rule. */
    public K9Quantizer() {
        super("k9", "9 levels {-4..4}", Alphabet.symmetricWithZero(9));
    }
}
