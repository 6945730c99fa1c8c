package dev.lowbit.harness.plugin;

import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.api.spi.ScaleRule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.jar.JarFile;

/**
 * The only place lowbit calls {@link ServiceLoader}. Providers come from lowbit's own class path (the
 * built-ins, and any other jar put on it) and from each plugin of a {@link PluginFolder}, each plugin
 * through its own {@link PluginClassLoader}. A provider that fails to load becomes a
 * {@link PluginFailure} naming its jar and the cause, and everything else still loads.
 *
 * <p>A provider is built-in when the jar (or class folder) its class was loaded from is one of
 * lowbit's own modules, which carry {@value #MODULE_MARKER}; any other jar is a plugin jar, kept in
 * {@link Discovered#pluginJar()} so that runs can record its SHA-256. A jar from the plugins folder is
 * always a plugin, whatever it carries.
 *
 * <p>Ids are unique across all sources: the first provider of an id is kept (built-ins before
 * plugins, plugins in file-name order) and each further one is a {@link PluginFailure.Kind#DUPLICATE}
 * naming both sources.
 */
public final class PluginLoader implements AutoCloseable {

    /** The resource every lowbit module that provides plugins carries (quantizers, architectures, harness). */
    public static final String MODULE_MARKER = "META-INF/lowbit/module.properties";

    /** The service interfaces a plugin may provide, how their instances are named, and how messages call them. */
    private record Spi<T>(Class<T> type, Function<T, String> idOf, String noun, String idWord) {
        String servicesFile() {
            return "META-INF/services/" + type.getName();
        }
    }

    private static final List<Spi<?>> SPIS = List.of(
            new Spi<>(Quantizer.class, Quantizer::id, "Quantizer", "id"),
            new Spi<>(QuantizerFactory.class, QuantizerFactory::name, "Quantizer factory", "name"),
            new Spi<>(ScaleRule.class, ScaleRule::id, "Scale rule", "id"),
            new Spi<>(GradientEstimator.class, GradientEstimator::id, "Gradient estimator", "id"),
            new Spi<>(ActivationQuantizer.class, ActivationQuantizer::id, "Activation quantizer", "id"),
            new Spi<>(Architecture.class, Architecture::id, "Architecture", "id"));

    /** A plugin of the folder, opened in its own class loader. */
    private record Opened(PluginFolder.Plugin plugin, PluginClassLoader classLoader) {}

    /** A plugin that loaded, what it provides, and its jars (all recorded in provenance when it provides something). */
    public record LoadedPlugin(Path location, List<Path> jars, List<String> provides) {}

    private final ClassLoader host;
    private final Path folder;
    private final List<Opened> opened = new ArrayList<>();
    private final List<PluginFailure> failures = new ArrayList<>();
    private final Map<Path, String> lowbitModules = new HashMap<>();
    private final Map<Path, List<String>> provided = new LinkedHashMap<>();

    /** Providers on lowbit's own class path only: the built-ins (and any plugin jar put on the class path). */
    public PluginLoader(ClassLoader host) {
        this(host, null);
    }

    /**
     * Providers on lowbit's class path and in the plugins of a folder.
     *
     * @param host lowbit's class loader: built-ins come from it, and plugins share lowbit's api, DJL's api and SLF4J from it (see {@link PluginClassLoader})
     * @param contents the plugins folder as read, or null for none
     */
    public PluginLoader(ClassLoader host, PluginFolder.Contents contents) {
        this.host = host;
        this.folder = contents == null ? null : contents.folder();
        if (contents == null) {
            return;
        }
        failures.addAll(contents.failures());
        for (PluginFolder.Plugin plugin : contents.plugins()) {
            PluginClassLoader loader =
                    new PluginClassLoader(plugin.location().getFileName().toString(), plugin.jars(), host);
            if (SPIS.stream().noneMatch(spi -> loader.findResource(spi.servicesFile()) != null)) {
                failures.add(PluginFailure.broken(
                        ProviderFailures.where(plugin.location()) + " provides no quantizer, quantizer factory,"
                                + " scale rule, gradient estimator, activation quantizer or architecture: it has no"
                                + " META-INF/services/dev.lowbit.api.spi.Quantizer, .QuantizerFactory, .ScaleRule, .GradientEstimator,"
                                + " .ActivationQuantizer or .Architecture file. Add one naming your class (README, 'Write your own"
                                + " quantizer')."));
                close(loader);
                continue;
            }
            opened.add(new Opened(plugin, loader));
            provided.put(plugin.location(), new ArrayList<>());
        }
    }

    /** Every provider of {@code spi} that loads, with its source, one per id; failures are recorded. */
    public <T> List<Discovered<T>> load(Class<T> type) {
        Spi<T> spi = spi(type);
        Map<String, Discovered<T>> byId = new LinkedHashMap<>();
        loadFrom(spi, host, null, byId);
        for (Opened plugin : opened) {
            loadFrom(spi, plugin.classLoader(), plugin.plugin(), byId);
        }
        return List.copyOf(byId.values());
    }

    /** The plugins that failed so far, and the ids provided twice. */
    public List<PluginFailure> failures() {
        return List.copyOf(failures);
    }

    /** The folder's plugins that opened, in file-name order, with what they provided so far. */
    public List<LoadedPlugin> plugins() {
        return opened.stream()
                .map(o -> new LoadedPlugin(
                        o.plugin().location(),
                        o.plugin().jars(),
                        List.copyOf(provided.get(o.plugin().location()))))
                .toList();
    }

    /** The plugins folder read, if any. */
    public Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    /** Closes the plugins' class loaders: their classes already loaded keep working, new ones cannot load. */
    @Override
    public void close() {
        opened.forEach(o -> close(o.classLoader()));
    }

    private <T> void loadFrom(
            Spi<T> spi, ClassLoader loader, PluginFolder.Plugin plugin, Map<String, Discovered<T>> byId) {
        String where = plugin == null ? "lowbit's class path" : ProviderFailures.where(plugin.location());
        var iterator = ServiceLoader.load(spi.type(), loader).stream().iterator();
        while (true) {
            Class<?> type = null;
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                ServiceLoader.Provider<T> provider = iterator.next();
                type = provider.type();
                String missing = ProviderFailures.unimplemented(spi.type(), type);
                if (!missing.isEmpty()) {
                    failures.add(PluginFailure.broken(ProviderFailures.incompatibleApi(
                            where,
                            type.getName() + " does not implement " + spi.type().getSimpleName() + "'s " + missing)));
                    continue;
                }
                T instance = provider.get();
                String id = spi.idOf().apply(instance);
                try {
                    PersistedIds.requireValid(id);
                } catch (IllegalArgumentException e) {
                    failures.add(PluginFailure.broken(where + ": " + type.getName() + " has an invalid " + spi.idWord()
                            + " '" + id + "': " + spi.idWord() + "s are persisted in results and must match"
                            + " [a-z][a-z0-9.-]*. Rename it."));
                    continue;
                }
                Discovered<T> found = plugin == null ? onClassPath(instance, type) : inPlugin(instance, type, plugin);
                Discovered<T> first = byId.putIfAbsent(id, found);
                if (first != null) {
                    failures.add(PluginFailure.duplicate(spi.noun() + " " + spi.idWord() + " '" + id + "' is provided"
                            + " twice: " + first.source() + " and " + found.source() + ". Remove one, or change the"
                            + " plugin's " + spi.idWord() + "."));
                } else if (plugin != null) {
                    provided.get(plugin.location()).add(spi.noun().toLowerCase(Locale.ROOT) + " " + id);
                }
            } catch (ServiceConfigurationError e) {
                failures.add(PluginFailure.broken(ProviderFailures.explain(where, plugin != null, spi.type(), e)));
            } catch (LinkageError | RuntimeException e) {
                // Thrown by a provider's own code (its id or name) or while linking its class.
                failures.add(
                        PluginFailure.broken(ProviderFailures.explain(where, type == null ? null : type.getName(), e)));
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> Spi<T> spi(Class<T> type) {
        return (Spi<T>) SPIS.stream()
                .filter(s -> s.type() == type)
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("Not a lowbit service interface: " + type.getName()));
    }

    private static <T> Discovered<T> inPlugin(T instance, Class<?> type, PluginFolder.Plugin plugin) {
        Path jar = location(type).orElse(plugin.location());
        return new Discovered<>(instance, described(jar), jar);
    }

    private <T> Discovered<T> onClassPath(T instance, Class<?> type) {
        Optional<Path> location = location(type);
        if (location.isEmpty()) {
            CodeSource codeSource = type.getProtectionDomain().getCodeSource();
            return new Discovered<>(
                    instance,
                    codeSource == null || codeSource.getLocation() == null
                            ? "unknown location"
                            : codeSource.getLocation().toString());
        }
        String module = lowbitModules.computeIfAbsent(location.get(), PluginLoader::lowbitModule);
        if (!module.isEmpty()) {
            return new Discovered<>(instance, "built-in (" + module + ")");
        }
        return new Discovered<>(instance, described(location.get()), location.get());
    }

    /** A jar's path and, when it declares one, its version: {@code /p/plugins/x.jar (version 1.2)}. */
    private static String described(Path jar) {
        return jar + PluginFolder.version(jar).map(v -> " (version " + v + ")").orElse("");
    }

    /** The jar or class folder a class was loaded from, if it is a local file. */
    static Optional<Path> location(Class<?> type) {
        CodeSource codeSource = type.getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Paths.get(codeSource.getLocation().toURI()).toAbsolutePath());
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return Optional.empty();
        }
    }

    /**
     * The module name in a jar's or class folder's {@link #MODULE_MARKER} (e.g. {@code lowbit-quantizers}),
     * or empty when it is not one of lowbit's own modules.
     */
    private static String lowbitModule(Path location) {
        Properties marker = new Properties();
        try {
            if (Files.isDirectory(location)) {
                Path file = location.resolve(MODULE_MARKER);
                if (!Files.isRegularFile(file)) {
                    return "";
                }
                try (InputStream in = Files.newInputStream(file)) {
                    marker.load(in);
                }
            } else {
                try (JarFile jar = new JarFile(location.toFile())) {
                    var entry = jar.getEntry(MODULE_MARKER);
                    if (entry == null) {
                        return "";
                    }
                    try (InputStream in = jar.getInputStream(entry)) {
                        marker.load(in);
                    }
                }
            }
        } catch (IOException e) {
            return "";
        }
        return marker.getProperty("module", location.getFileName().toString()).trim();
    }

    private static void close(PluginClassLoader loader) {
        try {
            loader.close();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot close the class loader of plugin " + loader.getName(), e);
        }
    }
}
