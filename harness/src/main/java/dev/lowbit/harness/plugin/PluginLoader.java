package dev.lowbit.harness.plugin;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * The only place lowbit calls {@link ServiceLoader}. Built-ins are found on the class path exactly
 * as plugins are; a provider that fails to load becomes a {@link Failure} and the others still load.
 */
public final class PluginLoader {

    /** A provider that could not be loaded. */
    public record Failure(String spi, String message) {}

    private final ClassLoader classLoader;
    private final List<Failure> failures = new ArrayList<>();

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
                found.add(new Discovered<>(provider.get(), sourceOf(provider.type())));
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

    private static String sourceOf(Class<?> type) {
        CodeSource codeSource = type.getProtectionDomain().getCodeSource();
        if (codeSource == null || codeSource.getLocation() == null) {
            return "built-in";
        }
        try {
            Path location = Paths.get(codeSource.getLocation().toURI());
            return "built-in (" + location.getFileName() + ")";
        } catch (URISyntaxException | IllegalArgumentException e) {
            return "built-in (" + codeSource.getLocation() + ")";
        }
    }
}
