package dev.lowbit.harness.plugin;

import java.nio.file.Path;

/**
 * A plugin instance and where it came from.
 *
 * @param plugin the instance
 * @param source human-readable origin: {@code built-in (lowbit-quantizers)}, or a plugin jar's absolute path
 *     with the version it declares, e.g. {@code /work/plugins/pow2.jar (version 1.0)}
 * @param pluginJar the jar (or class folder) the plugin's class was loaded from when that is not one of
 *     lowbit's own modules; null for a built-in
 */
public record Discovered<T>(T plugin, String source, Path pluginJar) {

    /** A built-in plugin (or one whose jar is not known). */
    public Discovered(T plugin, String source) {
        this(plugin, source, null);
    }
}
