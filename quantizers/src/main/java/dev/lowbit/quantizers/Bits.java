package dev.lowbit.quantizers;

/** Reads the bit count K that a scheme's spec writes after its colon ({@code dorefa:2}, {@code pact:4}). */
final class Bits {

    private Bits() {}

    /**
     * K from {@code text}, one to two digits without a sign or leading zero, within [min, max].
     *
     * @param scheme the id before the colon, for the message
     * @param example a valid spec, for the message
     * @throws IllegalArgumentException naming the text, the range and an example
     */
    static int parse(String scheme, String text, int min, int max, String example) {
        if (text.matches("[1-9][0-9]?")) {
            int bits = Integer.parseInt(text);
            if (bits >= min && bits <= max) {
                return bits;
            }
        }
        throw new IllegalArgumentException("'" + scheme + ":" + text + "' names no bit count: write " + scheme
                + ":K with K from " + min + " to " + max + ", e.g. " + example + ".");
    }
}
