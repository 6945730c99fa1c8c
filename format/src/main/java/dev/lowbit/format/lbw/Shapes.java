package dev.lowbit.format.lbw;

import java.util.Arrays;

/** Shape arithmetic shared by the tensor records. */
final class Shapes {

    /** The largest element count a Java array reliably holds. */
    static final int MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    /** The most dimensions a stored shape may have; guards the reader against garbage ranks. */
    static final int MAX_RANK = 32;

    private Shapes() {}

    /** The element count of a shape, checked to fit one Java array. */
    static int elementCount(String what, long[] shape) {
        if (shape == null) {
            throw new IllegalArgumentException(what + " has no shape");
        }
        if (shape.length > MAX_RANK) {
            throw new IllegalArgumentException(what + " has " + shape.length + " dimensions, more than " + MAX_RANK);
        }
        long count = 1;
        for (long dim : shape) {
            if (dim < 0) {
                throw new IllegalArgumentException(
                        what + " has a negative dimension in shape " + Arrays.toString(shape));
            }
            // Checked before every step: a product of two longs may wrap around past the bound.
            if (dim != 0 && count > MAX_ELEMENTS / dim) {
                throw new IllegalArgumentException(
                        what + " shape " + Arrays.toString(shape) + " holds more elements than one array can");
            }
            count *= dim;
        }
        return (int) count;
    }

    /** The shape as text, e.g. {@code [128, 784]}. */
    static String format(long[] shape) {
        return Arrays.toString(shape);
    }
}
