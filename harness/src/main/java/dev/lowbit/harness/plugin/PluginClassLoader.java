package dev.lowbit.harness.plugin;

import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.List;

/**
 * The class loader of one plugin: its own jars, over the platform class loader (the JDK), with only
 * lowbit's api, DJL and SLF4J taken from lowbit itself.
 *
 * <p>Those packages must be shared: a plugin's {@code Quantizer} has to be lowbit's {@code Quantizer}
 * for lowbit to call it, and the NDArrays it returns belong to lowbit's engine. Everything else a
 * plugin uses comes from its own jars, so a plugin that bundles its own version of a library lowbit
 * also uses (Jackson, Guava, ...) gets its version, and lowbit keeps its own; and a plugin cannot
 * reach lowbit's internals. A copy of a shared package bundled in a plugin is never used.
 */
final class PluginClassLoader extends URLClassLoader {

    /** Package prefixes whose classes come from lowbit, never from the plugin. */
    static final List<String> SHARED_PACKAGES = List.of("dev.lowbit.api.", "ai.djl.", "org.slf4j.");

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader host;

    /**
     * @param name for stack traces and debuggers: the plugin's file name
     * @param jars the plugin's jars
     * @param host the class loader lowbit's api, DJL and SLF4J are loaded by
     */
    PluginClassLoader(String name, List<Path> jars, ClassLoader host) {
        super(name, urls(jars), ClassLoader.getPlatformClassLoader());
        this.host = host;
    }

    /** Whether classes of this name come from lowbit rather than from the plugin. */
    static boolean isShared(String className) {
        for (String prefix : SHARED_PACKAGES) {
            if (className.startsWith(prefix)) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (isShared(name)) {
            return host.loadClass(name);
        }
        // Parent first is right for the rest: the parent is the platform loader, which holds only the JDK.
        return super.loadClass(name, resolve);
    }

    private static URL[] urls(List<Path> jars) {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            try {
                urls[i] = jars.get(i).toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("Not a file path: " + jars.get(i), e);
            }
        }
        return urls;
    }
}
