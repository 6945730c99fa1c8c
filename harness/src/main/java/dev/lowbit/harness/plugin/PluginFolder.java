package dev.lowbit.harness.plugin;

import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

/**
 * A plugins folder as the user filled it:
 * <pre>
 *   plugins/my-quantizer.jar          one plugin: a jar (its own classes, or a fat jar with its libraries)
 *   plugins/my-net/plugin.jar         one plugin: a folder of jars, the plugin's and the libraries it bundles
 *   plugins/my-net/guava-33.0.jar
 * </pre>
 * Every other file is ignored (a README beside the jars is fine). Each plugin gets its own class loader,
 * so two plugins never see each other's classes. A {@code .jar} that cannot be opened as a jar, or a
 * folder without jars, is a {@link PluginFailure}, not an error: the other plugins still load.
 */
public final class PluginFolder {

    /** A plugin found in the folder: a jar, or a folder of jars. */
    public record Plugin(Path location, List<Path> jars) {
        public Plugin {
            jars = List.copyOf(jars);
        }
    }

    /** What the folder holds: the plugins that can be opened, and the ones that cannot. */
    public record Contents(Path folder, List<Plugin> plugins, List<PluginFailure> failures) {
        public Contents {
            plugins = List.copyOf(plugins);
            failures = List.copyOf(failures);
        }
    }

    private PluginFolder() {}

    /**
     * Reads a plugins folder.
     *
     * @param folder the folder
     * @param required whether the user named it ({@code --plugins}): then a missing folder is an error;
     *     the default {@code ./plugins} may be absent
     * @return its plugins in file-name order, or none when an optional folder is absent
     * @throws BadInputException when a required folder does not exist or is a file
     */
    public static Contents read(Path folder, boolean required) {
        Path absolute = folder.toAbsolutePath().normalize();
        if (Files.isRegularFile(absolute)) {
            throw new BadInputException("--plugins takes a folder, but '" + absolute + "' is a file. Pass the folder"
                    + " that holds it"
                    + (absolute.getParent() == null ? "" : ", e.g. --plugins " + absolute.getParent())
                    + ".");
        }
        if (!Files.isDirectory(absolute)) {
            if (required) {
                throw new BadInputException("No plugins folder '" + absolute + "'. Create it and put plugin jars in it,"
                        + " or fix --plugins (without it lowbit reads ./plugins when that exists).");
            }
            return new Contents(absolute, List.of(), List.of());
        }
        List<Plugin> plugins = new ArrayList<>();
        List<PluginFailure> failures = new ArrayList<>();
        for (Path entry : sortedChildren(absolute)) {
            if (Files.isDirectory(entry)) {
                List<Path> jars = sortedChildren(entry).stream()
                        .filter(PluginFolder::isJarName)
                        .toList();
                if (jars.isEmpty()) {
                    failures.add(PluginFailure.broken("Plugin folder '" + entry + "' holds no .jar files."
                            + " Put the plugin's jar and the libraries it needs in it, or remove the folder."));
                    continue;
                }
                List<String> notJars = jars.stream()
                        .map(PluginFolder::notAJar)
                        .flatMap(Optional::stream)
                        .toList();
                if (notJars.isEmpty()) {
                    plugins.add(new Plugin(entry, jars));
                } else {
                    notJars.forEach(message -> failures.add(PluginFailure.broken(message)));
                }
            } else if (isJarName(entry)) {
                Optional<String> notAJar = notAJar(entry);
                if (notAJar.isEmpty()) {
                    plugins.add(new Plugin(entry, List.of(entry)));
                } else {
                    failures.add(PluginFailure.broken(notAJar.get()));
                }
            }
        }
        return new Contents(absolute, plugins, failures);
    }

    /**
     * The version a jar declares: {@code Implementation-Version} from its manifest, or else the
     * {@code version} of the one Maven {@code pom.properties} it carries (every jar Maven builds has it).
     */
    public static Optional<String> version(Path jar) {
        if (!Files.isRegularFile(jar)) {
            return Optional.empty();
        }
        try (JarFile file = new JarFile(jar.toFile())) {
            if (file.getManifest() != null) {
                String version =
                        file.getManifest().getMainAttributes().getValue(Attributes.Name.IMPLEMENTATION_VERSION);
                if (version != null && !version.isBlank()) {
                    return Optional.of(version.trim());
                }
            }
            List<JarEntry> poms = file.stream()
                    .filter(e -> e.getName().startsWith("META-INF/maven/")
                            && e.getName().endsWith("/pom.properties"))
                    .toList();
            if (poms.size() != 1) {
                // None, or a fat jar that merged several: no single version to name.
                return Optional.empty();
            }
            Properties pom = new Properties();
            try (InputStream in = file.getInputStream(poms.get(0))) {
                pom.load(in);
            }
            return Optional.ofNullable(pom.getProperty("version"))
                    .map(String::trim)
                    .filter(v -> !v.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean isJarName(Path path) {
        String name = path.getFileName().toString();
        return name.endsWith(".jar") && !name.startsWith(".") && Files.isRegularFile(path);
    }

    /** Why {@code jar} is not a jar, or empty when it opens as one. */
    private static Optional<String> notAJar(Path jar) {
        try (JarFile file = new JarFile(jar.toFile())) {
            file.getManifest();
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of("Plugin '" + jar + "' is not a jar (" + e.getMessage() + "). Replace it with the jar"
                    + " 'mvn package' built, or remove it.");
        }
    }

    private static List<Path> sortedChildren(Path folder) {
        try (Stream<Path> children = Files.list(folder)) {
            return children.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot read the plugins folder '" + folder + "' (" + e.getMessage()
                            + "). Check that it is readable, or fix --plugins.",
                    e);
        }
    }
}
