package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Architecture;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * What one command can use: the built-in quantizers, gradient estimators, activation quantizers and
 * architectures and those of a plugins folder, each id once, with every plugin that failed to load as a
 * {@link PluginFailure}.
 */
public final class Plugins implements AutoCloseable {

    private final PluginLoader loader;
    private final QuantizerRegistry quantizers;
    private final ActivationRegistry activations;
    private final ArchitectureRegistry architectures;

    /** Loads every provider the loader finds; its failures become this set's failures. */
    public Plugins(PluginLoader loader) {
        this.loader = loader;
        this.quantizers = QuantizerRegistry.load(loader);
        this.activations = ActivationRegistry.load(loader, quantizers.estimators());
        this.architectures = new ArchitectureRegistry(loader.load(Architecture.class));
    }

    /** The quantizers, quantizer factories and scale rules. */
    public QuantizerRegistry quantizers() {
        return quantizers;
    }

    /** The gradient estimators (also {@code quantizers().estimators()}). */
    public EstimatorRegistry estimators() {
        return quantizers.estimators();
    }

    /** The activation quantizers. */
    public ActivationRegistry activations() {
        return activations;
    }

    /** The architectures. */
    public ArchitectureRegistry architectures() {
        return architectures;
    }

    /** The plugins folder that was read, if any (the default {@code ./plugins} may be absent). */
    public Optional<Path> folder() {
        return loader.folder();
    }

    /** The folder's plugins that loaded, with what each provides. */
    public List<PluginLoader.LoadedPlugin> loaded() {
        return loader.plugins();
    }

    /** The plugins that failed to load and the ids provided twice, one line each. */
    public List<PluginFailure> failures() {
        return loader.failures();
    }

    /**
     * The jars outside lowbit that runs depend on, for provenance: the jar of every quantizer, factory,
     * scale rule, estimator, activation quantizer and architecture that is not built in, and the other
     * jars of a plugin folder that provides one (the libraries it bundles).
     */
    public SortedSet<Path> jars() {
        SortedSet<Path> jars = new TreeSet<>(quantizers.pluginJars());
        jars.addAll(activations.pluginJars());
        jars.addAll(architectures.pluginJars());
        for (PluginLoader.LoadedPlugin plugin : loaded()) {
            if (!plugin.provides().isEmpty()) {
                jars.addAll(plugin.jars());
            }
        }
        return jars;
    }

    /**
     * The failures that stop a command that uses these plugins: an id provided twice always (an id in
     * results must mean one thing), and with {@code strict} every failure.
     */
    public List<PluginFailure> fatalFailures(boolean strict) {
        return failures().stream()
                .filter(f -> strict || f.kind() == PluginFailure.Kind.DUPLICATE)
                .toList();
    }

    /** Closes the plugins' class loaders. */
    @Override
    public void close() {
        loader.close();
    }
}
