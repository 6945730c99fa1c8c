package dev.lowbit.quantizers;

import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;

/**
 * An activation quantizer whose one option is its bit count K, written {@code id:K} ({@code pact:4},
 * {@code dorefa:2}, {@code lsq:8}); 4 bits when a spec names none. Holds K, its levels and the spec.
 */
abstract class BitCountActivationQuantizer implements ActivationQuantizer {

    static final int DEFAULT_BITS = 4;
    private static final int MOST_BITS = 8;

    private final String id;
    private final int fewestBits;
    /** K. */
    protected final int bits;
    /** The levels the input is snapped to, in units of the scale. */
    protected final AlphabetCodes levels;

    /**
     * @param id the id before the colon
     * @param fewestBits the smallest K the scheme is defined for
     * @param bits K
     * @param levels the levels for K
     */
    protected BitCountActivationQuantizer(String id, int fewestBits, int bits, Alphabet levels) {
        this.id = id;
        this.fewestBits = fewestBits;
        this.bits = bits;
        this.levels = new AlphabetCodes(levels);
    }

    /**
     * This scheme at {@code otherBits}: a new instance of the same class.
     *
     * @param otherBits K, already checked to be in range
     * @return the scheme at K bits
     */
    protected abstract ActivationQuantizer withBits(int otherBits);

    /** {@code 0, 1, ..., 2^K - 1}: unsigned K-bit levels (PACT, DoReFa). */
    static Alphabet unsignedLevels(int bits) {
        double[] values = new double[1 << bits];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        return Alphabet.of(values);
    }

    @Override
    public final String id() {
        return id;
    }

    @Override
    public final String spec() {
        return id + ":" + bits;
    }

    @Override
    public final double bits() {
        return bits;
    }

    /** {@code ""} (4 bits) or {@code :K}, K from the scheme's fewest bits to 8. */
    @Override
    public final ActivationQuantizer configure(String options) {
        if (options.isEmpty()) {
            return bits == DEFAULT_BITS ? this : withBits(DEFAULT_BITS);
        }
        if (!options.startsWith(":")) {
            throw new IllegalArgumentException("Activation quantizer '" + id + "' takes ':K' (bits), got '" + options
                    + "'; e.g. " + id + ":" + DEFAULT_BITS + ".");
        }
        int configured = Bits.parse(id, options.substring(1), fewestBits, MOST_BITS, id + ":" + DEFAULT_BITS);
        return configured == bits ? this : withBits(configured);
    }
}
