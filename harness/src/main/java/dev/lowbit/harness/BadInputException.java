package dev.lowbit.harness;

import java.util.List;

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

    /** Throws unless {@code value} is one of {@code allowed}, naming the option, the value and the choices. */
    public static void requireOneOf(String option, String value, List<String> allowed) {
        if (!allowed.contains(value)) {
            throw new BadInputException("Unknown " + option + " '" + value + "'. Available: " + allowed + ".");
        }
    }
}
