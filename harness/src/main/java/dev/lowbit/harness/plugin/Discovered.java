package dev.lowbit.harness.plugin;

/**
 * A plugin instance and where it came from.
 *
 * @param plugin the instance
 * @param source human-readable origin, e.g. {@code built-in (lowbit-quantizers-0.1.0.jar)}
 */
public record Discovered<T>(T plugin, String source) {}
