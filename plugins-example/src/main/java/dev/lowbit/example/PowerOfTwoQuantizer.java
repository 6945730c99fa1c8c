package dev.lowbit.example;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;

/**
 * Seven levels {-4, -2, -1, 0, 1, 2, 4}: zero and signed powers of two, 2.81 bits per weight (log2 7).
 *
 * <p>Powers of two turn a multiplication by a weight into a shift, which is why hardware papers like
 * them; and unlike the evenly spaced k-level alphabets, the levels crowd near zero where most trained
 * weights are. The built-ins have no such alphabet. The scale rule (default {@code mse/tensor}) and the
 * packing into radix-7 codes come with {@link AlphabetQuantizer}: a named alphabet is all a plugin adds.
 */
public final class PowerOfTwoQuantizer extends AlphabetQuantizer {

    /** The id, persisted in results: never rename it. */
    public static final String ID = "pow2";

    /** The public no-argument constructor {@link java.util.ServiceLoader} calls; the default scale rule. */
    public PowerOfTwoQuantizer() {
        super(ID, "7 levels {-4,-2,-1,0,1,2,4}: zero and powers of two", Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
    }
}
