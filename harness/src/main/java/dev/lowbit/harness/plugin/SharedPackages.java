package dev.lowbit.harness.plugin;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Quantizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.slf4j.Logger;

/**
 * The packages whose classes and resources a plugin takes from lowbit: every package of the three jars
 * (or class folders) that make up the api lowbit exposes to plugins, namely lowbit-api (found by
 * {@link Quantizer}), DJL's {@code ai.djl:api} (found by {@link NDArray}) and the SLF4J api (found by
 * {@link Logger}). A package is a directory of such a jar that holds a {@code .class} file, and matches
 * exactly: {@code ai.djl.ndarray} is shared, {@code ai.djl.pytorch.engine} (the engine, lowbit's own)
 * and a plugin's {@code ai.djl.something.else} are not.
 *
 * <p>Fallback: when one of the three cannot be listed (no code source, not a file, unreadable), its
 * package prefix ({@code dev.lowbit.api}, {@code ai.djl} or {@code org.slf4j}) stands in for its
 * packages, with all their subpackages. Plugins then still link against lowbit's api (sharing too much
 * is what lowbit did before; sharing too little would break every plugin), they only see more of DJL.
 *
 * <p>{@code META-INF/} is never shared: a plugin sees only its own services files and manifest.
 */
final class SharedPackages {

    /** A jar shared with plugins: found by a class it holds; {@code fallbackPrefix} is used if it cannot be listed. */
    record SharedJar(Class<?> anchor, String fallbackPrefix) {}

    /** The api lowbit exposes to plugins: its own api, DJL's api, and SLF4J's. */
    static final List<SharedJar> LOWBIT_API = List.of(
            new SharedJar(Quantizer.class, "dev.lowbit.api"),
            new SharedJar(NDArray.class, "ai.djl"),
            new SharedJar(Logger.class, "org.slf4j"));

    private static final String CLASS_SUFFIX = ".class";
    private static final String META_INF = "META-INF/";

    /** Listed once, on first use: the jars do not change while lowbit runs, and listing DJL's takes a few ms. */
    private static final class Lowbit {
        static final SharedPackages PACKAGES = of(LOWBIT_API);
    }

    private final Set<String> packages;
    private final List<String> fallbackPrefixes;

    private SharedPackages(Set<String> packages, List<String> fallbackPrefixes) {
        this.packages = Set.copyOf(packages);
        this.fallbackPrefixes = List.copyOf(fallbackPrefixes);
    }

    /** The packages of {@link #LOWBIT_API}, listed once per run. */
    static SharedPackages lowbit() {
        return Lowbit.PACKAGES;
    }

    /** The packages of these jars, each listed now, or its fallback prefix when it cannot be. */
    static SharedPackages of(List<SharedJar> jars) {
        Set<String> packages = new TreeSet<>();
        List<String> fallbackPrefixes = new ArrayList<>();
        for (SharedJar jar : jars) {
            Optional<Set<String>> listed = PluginLoader.location(jar.anchor()).flatMap(SharedPackages::packagesIn);
            if (listed.isPresent()) {
                packages.addAll(listed.get());
            } else {
                fallbackPrefixes.add(jar.fallbackPrefix());
            }
        }
        return new SharedPackages(packages, fallbackPrefixes);
    }

    /** The packages found by listing, e.g. {@code ai.djl.ndarray}. */
    Set<String> packages() {
        return packages;
    }

    /** The prefixes standing in for a jar that could not be listed; empty when all were listed. */
    List<String> fallbackPrefixes() {
        return fallbackPrefixes;
    }

    /** Whether a class, by its binary name (e.g. {@code ai.djl.ndarray.NDArray$Foo}), comes from lowbit. */
    boolean containsClass(String className) {
        int lastDot = className.lastIndexOf('.');
        return lastDot > 0 && containsPackage(className.substring(0, lastDot));
    }

    /**
     * Whether a resource (e.g. {@code ai/djl/engine/api.properties}) comes from lowbit: it lies directly in
     * a shared package's directory. Never one under {@code META-INF/}, nor one at the root.
     */
    boolean containsResource(String resourceName) {
        int lastSlash = resourceName.lastIndexOf('/');
        if (lastSlash <= 0 || resourceName.startsWith(META_INF)) {
            return false;
        }
        return containsPackage(resourceName.substring(0, lastSlash).replace('/', '.'));
    }

    /** Whether a package (e.g. {@code ai.djl.ndarray}) is shared, exactly, or lies under a fallback prefix. */
    boolean containsPackage(String packageName) {
        if (packages.contains(packageName)) {
            return true;
        }
        for (String prefix : fallbackPrefixes) {
            if (packageName.equals(prefix) || packageName.startsWith(prefix + ".")) {
                return true;
            }
        }
        return false;
    }

    /** The packages of a jar or class folder, or empty when it cannot be read. */
    private static Optional<Set<String>> packagesIn(Path location) {
        try {
            if (Files.isDirectory(location)) {
                return Optional.of(packagesInFolder(location));
            }
            if (Files.isRegularFile(location)) {
                return Optional.of(packagesInJar(location));
            }
            return Optional.empty();
        } catch (IOException | UncheckedIOException | SecurityException e) {
            return Optional.empty();
        }
    }

    private static Set<String> packagesInJar(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return packagesOf(file.stream().map(JarEntry::getName));
        }
    }

    private static Set<String> packagesInFolder(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return packagesOf(files.filter(Files::isRegularFile)
                    .map(file -> folder.relativize(file)
                            .toString()
                            .replace(folder.getFileSystem().getSeparator(), "/")));
        }
    }

    /**
     * The packages of these entry names ({@code a/b/C.class} is in {@code a.b}). Skipped: entries under
     * {@code META-INF/} (e.g. a multi-release jar's {@code META-INF/versions/9/module-info.class}) and at the
     * root ({@code module-info.class}), which would otherwise share the unnamed package.
     */
    private static Set<String> packagesOf(Stream<String> entryNames) {
        Set<String> packages = new TreeSet<>();
        entryNames
                .filter(name -> name.endsWith(CLASS_SUFFIX) && !name.startsWith(META_INF))
                .filter(name -> name.lastIndexOf('/') > 0)
                .forEach(name ->
                        packages.add(name.substring(0, name.lastIndexOf('/')).replace('/', '.')));
        return packages;
    }
}
