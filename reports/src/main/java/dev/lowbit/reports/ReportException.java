package dev.lowbit.reports;

/**
 * The report cannot be made from what the user pointed it at (no such directory, no finished
 * runs); the message says what to do, so a CLI can print it as is and exit with "bad input".
 */
public class ReportException extends RuntimeException {

    /** Creates the exception with a message meant for the user. */
    public ReportException(String message) {
        super(message);
    }
}
