package dev.lowbit.harness.plugin;

/**
 * Code of a quantizer, scale rule or architecture failed, or broke its contract, while lowbit used it:
 * not the user's input (that is a {@link dev.lowbit.harness.BadInputException}) but the plugin's fault.
 * It ends the runs that need that code as FAILED, with this message, and the other runs go on.
 */
public final class PluginCodeException extends RuntimeException {

    public PluginCodeException(String message, Throwable cause) {
        super(message, cause);
    }

    public PluginCodeException(String message) {
        super(message);
    }
}
