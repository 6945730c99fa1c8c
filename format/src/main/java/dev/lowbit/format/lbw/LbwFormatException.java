package dev.lowbit.format.lbw;

/**
 * A {@code .lbw} file that cannot be read as a packed model: not one, truncated, corrupt or of an
 * unsupported version. The message is one line naming the file, the problem and what to do.
 */
public final class LbwFormatException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An exception with a one-line message. */
    public LbwFormatException(String message) {
        super(message);
    }
}
