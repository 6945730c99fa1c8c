package dev.lowbit.harness;

/**
 * Input the user can fix: an unknown id, a missing or corrupt dataset, a bad option value.
 * The CLI prints its message as one line and exits with code 2. Messages say what was wrong,
 * the value, what exists, and how to fix it.
 */
public class BadInputException extends RuntimeException {

    public BadInputException(String message) {
        super(message);
    }

    public BadInputException(String message, Throwable cause) {
        super(message, cause);
    }
}
