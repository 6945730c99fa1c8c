package dev.lowbit.api.nn;

import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Quantizer;
import java.util.function.Supplier;

/**
 * A quantizer's code failed (threw an exception or an error, a {@link LinkageError} from a plugin
 * compiled against another api included) while lowbit applied it to one weight tensor, or to a
 * layer's input. The message names the quantizer spec (or the estimator, or the activation
 * quantizer), the tensor and the call, so a failed run says where it broke.
 *
 * <p>lowbit throws it, never a plugin: a plugin throws what describes its own failure (an
 * {@link IllegalArgumentException} with a clear message, say), and lowbit wraps it, keeping it as the cause.
 * The run it happens in ends as FAILED with this message; the other runs go on.
 */
public final class QuantizerException extends RuntimeException {

    /** {@code call} of {@code quantizer} failed on the weight tensor named {@code tensor} (training or packing it). */
    public QuantizerException(Quantizer quantizer, String tensor, Shape shape, String call, Throwable cause) {
        this("quantizer '" + specOf(quantizer) + "'", "tensor '" + tensor + "'", shape, call, cause);
    }

    /**
     * @param what the failing code, e.g. {@code estimator 'clipped' of quantizer 'ternary@absmean/tensor'}
     * @param where what it was applied to, e.g. {@code tensor '01QuantizedLinear_weight'}
     * @param shape its shape, or null when the call has none (e.g. declaring trained values)
     */
    QuantizerException(String what, String where, Shape shape, String call, Throwable cause) {
        super(
                what + " failed in " + call + " on " + where + (shape == null ? "" : " " + shape) + ": "
                        + describe(cause),
                cause);
    }

    /**
     * {@code Type: message} of a throwable, its type alone when it has no message.
     *
     * @param thrown what was thrown
     * @return its simple class name and, when it has one, its message on one line
     */
    public static String describe(Throwable thrown) {
        String message = thrown.getMessage();
        return thrown.getClass().getSimpleName() + (message == null || message.isBlank() ? "" : ": " + message.strip());
    }

    /** The spec, or the class name when the quantizer's own {@code spec()} throws as well. */
    static String specOf(Quantizer quantizer) {
        return safely(quantizer::spec, quantizer);
    }

    /** What {@code name} returns (plugin code: a spec or an id), or the class name of {@code owner} if it throws. */
    static String safely(Supplier<String> name, Object owner) {
        try {
            return name.get();
        } catch (RuntimeException | LinkageError e) {
            return owner.getClass().getName();
        }
    }

    /**
     * Runs plugin code, turning whatever it throws into a {@link QuantizerException} saying what failed,
     * where and in which call. Errors are caught too: a plugin compiled against another api fails with a
     * {@link LinkageError} only when the missing method is first called. The engine's own fatal errors
     * (out of memory) and an exception already naming its tensor pass unchanged.
     *
     * @param what names the failing code; called only on failure
     * @param where names what it was applied to; called only on failure
     */
    static <T> T guard(Supplier<String> what, Supplier<String> where, Shape shape, String call, Supplier<T> body) {
        try {
            return body.get();
        } catch (QuantizerException e) {
            throw e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new QuantizerException(what.get(), where.get(), shape, call, e);
        }
    }
}
