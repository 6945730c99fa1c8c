package dev.lowbit.harness.plugin;

/**
 * A plugin that could not be used, as one line naming the jar and the cause. Failures are data: the
 * other plugins still load, {@code lowbit list} shows them, and {@code --strict} makes them fatal.
 *
 * @param kind {@link Kind#BROKEN} for a plugin that did not load, {@link Kind#DUPLICATE} for an id
 *     provided twice
 * @param message the line for the user: what, the jar, the cause, how to fix
 */
public record PluginFailure(Kind kind, String message) {

    /** What went wrong. */
    public enum Kind {
        /** The plugin (or one of its providers) did not load; it is left out. */
        BROKEN,
        /**
         * Two providers claim one id. The first found (built-ins first, then plugins in file-name order)
         * is kept, but an id in results must mean one thing, so commands other than {@code list} refuse
         * to go on.
         */
        DUPLICATE
    }

    static PluginFailure broken(String message) {
        return new PluginFailure(Kind.BROKEN, message);
    }

    static PluginFailure duplicate(String message) {
        return new PluginFailure(Kind.DUPLICATE, message);
    }

    @Override
    public String toString() {
        return message;
    }
}
