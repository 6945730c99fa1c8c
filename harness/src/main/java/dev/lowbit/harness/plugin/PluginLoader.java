package dev.lowbit.harness.plugin;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.jar.JarFile;

/**
 * The only place lowbit calls {@link ServiceLoader}. Built-ins are found on the class path exactly
 * as plugins are; a provider that fails to load becomes a {@link Failure} and the others still load.
 *
 * <p>A provider is built-in when the jar (or class folder) its class was loaded from is one of
 * lowbit's own modules, which carry {@value #MODULE_MARKER}; any other location is a plugin jar, kept in
 * {@link Discovered#pluginJar()} so that runs can record its SHA-256.
 */
public final class PluginLoader {

    /** The resource every lowbit module that provides plugins carries (quantizers, architectures, harness). */
    public static final String MODULE_MARKER = "META-INF/lowbit/module.properties";

    /** A provider that could not be loaded. */
    public record Failure(String spi, String message) {}

    private final ClassLoader classLoader;
    private final List<Failure> failures = new ArrayList<>();
    private final Map<Path, Boolean> lowbitModules = new HashMap<>();

    public PluginLoader(ClassLoader classLoader) {
        this.classLoader = classLoader;
    }

    /** Every provider of {@code spi} that loads, with its source. */
    public <T> List<Discovered<T>> load(Class<T> spi) {
        List<Discovered<T>> found = new ArrayList<>();
        var iterator = ServiceLoader.load(spi, classLoader).stream().iterator();
        while (true) {
            try {
                if (!iterator.hasNext()) {
                    break;
                }
                ServiceLoader.Provider<T> provider = iterator.next();
                found.add(discovered(provider.get(), provider.type()));
            } catch (ServiceConfigurationError e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                failures.add(new Failure(spi.getSimpleName(), e.getMessage()
                        + (cause == e ? "" : " (" + cause + ")")));
            }
        }
        return found;
    }

    /** Providers that failed so far. */
    public List<Failure> failures() {
        return List.copyOf(failures);
    }

    private <T> Discovered<T> discovered(T plugin, Class<?> type) {
        CodeSource codeSource = type.getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return new Discovered<>(plugin, "unknown location");
        }
        Path location;
        try {
            location = Paths.get(codeSource.getLocation().toURI()).toAbsolutePath();
        } catch (URISyntaxException | IllegalArgumentException | FileSystemNotFoundException e) {
            return new Discovered<>(plugin, codeSource.getLocation().toString());
        }
        if (lowbitModules.computeIfAbsent(location, PluginLoader::isLowbitModule)) {
            return new Discovered<>(plugin, "built-in (" + location.getFileName() + ")");
        }
        return new Discovered<>(plugin, location.toString(), location);
    }

    /** Whether a jar or class folder is one of lowbit's own modules: it carries {@link #MODULE_MARKER}. */
    private static boolean isLowbitModule(Path location) {
        if (Files.isDirectory(location)) {
            return Files.isRegularFile(location.resolve(MODULE_MARKER));
        }
        try (JarFile jar = new JarFile(location.toFile())) {
            return jar.getEntry(MODULE_MARKER) != null;
        } catch (IOException e) {
            return false;
        }
    }
}
