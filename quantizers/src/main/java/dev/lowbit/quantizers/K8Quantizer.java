package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/** Eight levels {-4..-1, 1..4}: 3 bits per weight, no zero; the zero-free partner of k9. */
public final class K8Quantizer extends AlphabetQuantizer {

    /** The registered {@code k8}, under the default scale rule. */
    public K8Quantizer() {
        super("k8", "8 levels {-4..4} without 0", Alphabet.symmetricWithoutZero(8));
    }
}
