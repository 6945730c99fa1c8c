package dev.lowbit.harness.plugin;

import java.nio.file.Path;

/**
 * A plugin instance and where it came from.
 *
 * @param plugin the instance
 * @param source human-readable origin, e.g. {@code built-in (lowbit-quantizers.jar)} or a plugin jar's path
 * @param pluginJar the jar (or class folder) the plugin's class was loaded from when that is not one of
 *     lowbit's own modules; null for a built-in
 */
public record Discovered<T>(T plugin, String source, Path pluginJar) {

    /** A built-in plugin (or one whose jar is not known). */
    public Discovered(T plugin, String source) {
        this(plugin, source, null);
    }
}
