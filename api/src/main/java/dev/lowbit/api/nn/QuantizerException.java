package dev.lowbit.api.nn;

import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Quantizer;

/**
 * A quantizer's code failed (threw an exception or an error, a {@link LinkageError} from a plugin
 * compiled against another api included) while lowbit applied it to one weight tensor. The message
 * names the quantizer spec, the tensor and the call, so a failed run says where it broke.
 */
public final class QuantizerException extends RuntimeException {

    QuantizerException(Quantizer quantizer, String tensor, Shape shape, String call, Throwable cause) {
        super("quantizer '" + specOf(quantizer) + "' failed in " + call + " on tensor '" + tensor + "' " + shape + ": "
                + describe(cause), cause);
    }

    /** {@code Type: message} of a throwable, its type alone when it has no message. */
    public static String describe(Throwable thrown) {
        String message = thrown.getMessage();
        return thrown.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.strip());
    }

    /** The spec, or the class name when the quantizer's own {@code spec()} throws as well. */
    private static String specOf(Quantizer quantizer) {
        try {
            return quantizer.spec();
        } catch (RuntimeException | LinkageError e) {
            return quantizer.getClass().getName();
        }
    }
}
