package dev.lowbit.harness.cli;

import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.PluginFailure;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that choose plugins, shared by every command that uses quantizers or architectures
 * (a Picocli mixin): {@code --plugins DIR} and {@code --strict}.
 */
public final class PluginOptions {

    /** The plugins folder read when {@code --plugins} is not given, if it exists. */
    static final Path DEFAULT_FOLDER = Path.of("plugins");

    @Option(
            names = "--plugins",
            paramLabel = "DIR",
            description = "Folder of plugins: *.jar files, and/or one folder of jars per plugin (default: ./plugins,"
                    + " when it exists).")
    Path folder;

    @Option(
            names = "--strict",
            description = "Stop (exit 2) when a plugin fails to load, instead of going on without it.")
    boolean strict;

    /** The built-ins and the plugins, failures included, as {@code lowbit list} shows them. */
    Plugins open(PluginHost host) {
        return host.open(folder == null ? DEFAULT_FOLDER : folder, folder != null);
    }

    /**
     * The built-ins and the plugins, for a command that uses them: a plugin that failed to load is a
     * warning on {@code err} and left out; an id provided twice always stops the command, and with
     * {@code --strict} so does any failure.
     */
    Plugins openForUse(PluginHost host, PrintWriter err) {
        Plugins plugins = open(host);
        requireUsable(plugins, strict);
        for (PluginFailure failure : plugins.failures()) {
            err.println("lowbit: warning: " + failure + " Going on without it (--strict makes this an error).");
        }
        err.flush();
        return plugins;
    }

    /** Whether plugin failures are errors. */
    boolean strict() {
        return strict;
    }

    /**
     * Stops the command when a failure is fatal ({@link Plugins#fatalFailures}).
     *
     * @throws BadInputException one line per failure, each printed after "lowbit: "
     */
    static void requireUsable(Plugins plugins, boolean strict) {
        List<String> fatal = plugins.fatalFailures(strict).stream()
                .map(PluginFailure::message)
                .toList();
        if (!fatal.isEmpty()) {
            // Main prints "lowbit: " before the message; the other lines get it here.
            throw new BadInputException(String.join(System.lineSeparator() + "lowbit: ", fatal));
        }
    }
}
