package dev.lowbit.harness.plugin;

import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;

/**
 * The class loader of one plugin: its own jars, over the platform class loader (the JDK), with only the
 * api lowbit exposes taken from lowbit itself, as Trino's plugin class loader does it.
 *
 * <p>Shared, from lowbit's loader: the classes and resources of every package of the lowbit-api jar, of
 * DJL's {@code ai.djl:api} jar and of the SLF4J api jar, matched by exact package
 * ({@link SharedPackages}). A plugin's {@code Quantizer} has to be lowbit's {@code Quantizer} for lowbit
 * to call it, and the NDArrays it returns belong to lowbit's engine. A resource is shared when it lies
 * directly in a shared package's directory (e.g. {@code ai/djl/engine/api.properties}), so that DJL code
 * reading its own resources through the plugin's loader (its context class loader while lowbit calls
 * it, see {@link ThreadContextClassLoader}) finds lowbit's.
 *
 * <p>Everything else comes from the plugin's own jars: DJL's engine ({@code ai.djl.pytorch.*}) and
 * lowbit's other libraries and internals are invisible, a plugin that bundles its own version of a
 * library lowbit also uses (Jackson, Guava, ...) gets its version and lowbit keeps its own, a plugin's own
 * class in an {@code ai.djl.}-prefixed package that DJL's api does not have is the plugin's, and
 * {@code META-INF/} (services files, manifest) is always the plugin's: lowbit's services files would
 * otherwise make a plugin's {@code ServiceLoader} find the built-ins again. A copy of a shared package
 * bundled in a plugin is never used.
 */
final class PluginClassLoader extends URLClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final ClassLoader host;
    private final SharedPackages shared;

    /**
     * @param name for stack traces and debuggers: the plugin's file name
     * @param jars the plugin's jars
     * @param host the class loader lowbit's api, DJL's api and SLF4J are loaded by
     */
    PluginClassLoader(String name, List<Path> jars, ClassLoader host) {
        super(name, urls(jars), ClassLoader.getPlatformClassLoader());
        this.host = host;
        this.shared = SharedPackages.lowbit();
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (shared.containsClass(name)) {
            return host.loadClass(name);
        }
        // Parent first is right for the rest: the parent is the platform loader, which holds only the JDK.
        return super.loadClass(name, resolve);
    }

    /** A shared resource from lowbit, any other from the JDK or the plugin's jars. {@code getResourceAsStream} follows. */
    @Override
    public URL getResource(String name) {
        if (shared.containsResource(name)) {
            return host.getResource(name);
        }
        return super.getResource(name);
    }

    /** Like {@link #getResource}: a shared resource only from lowbit, any other only from the JDK and the plugin's jars. */
    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        if (shared.containsResource(name)) {
            return host.getResources(name);
        }
        return super.getResources(name);
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
