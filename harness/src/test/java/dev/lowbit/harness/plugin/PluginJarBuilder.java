package dev.lowbit.harness.plugin;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a real plugin jar at test time, as an outsider would: Java sources compiled with javax.tools
 * against lowbit's api (the test class path), their classes and {@code META-INF/services} files in a jar.
 * Stubs are compiled against but left out of the jar, which is how a plugin "compiled against another
 * lowbit api" is made: the stub stands in for the api class as it was (or will be).
 */
public final class PluginJarBuilder {

    private final Map<String, String> sources = new LinkedHashMap<>();
    private final Map<String, String> stubs = new LinkedHashMap<>();
    private final Map<String, byte[]> resources = new LinkedHashMap<>();
    private final List<Path> classPath = new ArrayList<>();
    private String version;

    private PluginJarBuilder() {}

    /** An empty plugin. */
    public static PluginJarBuilder plugin() {
        return new PluginJarBuilder();
    }

    /** A class of the plugin, by its binary name, e.g. {@code org.example.Foo}. */
    public PluginJarBuilder source(String className, String code) {
        sources.put(className, code);
        return this;
    }

    /** A class compiled against in place of the real one, never put in the jar. */
    public PluginJarBuilder stub(String className, String code) {
        stubs.put(className, code);
        return this;
    }

    /** A {@code META-INF/services} file naming these provider classes. */
    public PluginJarBuilder service(Class<?> spi, String... providers) {
        return resource("META-INF/services/" + spi.getName(), String.join("\n", providers) + "\n");
    }

    /** Any other file in the jar. */
    public PluginJarBuilder resource(String name, String text) {
        resources.put(name, text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Jars the sources compile against before the test class path (e.g. an older library the plugin bundles). */
    public PluginJarBuilder classPath(List<Path> jars) {
        classPath.addAll(jars);
        return this;
    }

    /** The manifest's {@code Implementation-Version}. */
    public PluginJarBuilder version(String version) {
        this.version = version;
        return this;
    }

    /** Compiles (in a scratch folder of its own) and writes the jar; returns its absolute path. */
    public Path build(Path jar) throws IOException {
        Path scratch = Files.createTempDirectory("lowbit-plugin-build");
        try {
            Path classes = Files.createDirectories(scratch.resolve("classes"));
            if (!sources.isEmpty()) {
                compile(scratch, classes);
            }
            Manifest manifest = new Manifest();
            manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
            if (version != null) {
                manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
            }
            Files.createDirectories(jar.toAbsolutePath().getParent());
            try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
                for (Path file : packagedClasses(classes)) {
                    add(
                            out,
                            classes.relativize(file).toString().replace(File.separatorChar, '/'),
                            Files.readAllBytes(file));
                }
                for (Map.Entry<String, byte[]> resource : resources.entrySet()) {
                    add(out, resource.getKey(), resource.getValue());
                }
            }
            return jar.toAbsolutePath();
        } finally {
            try (Stream<Path> files = Files.walk(scratch)) {
                for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(file);
                }
            }
        }
    }

    private void compile(Path scratch, Path classes) throws IOException {
        List<String> arguments = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", classes.toString()));
        StringBuilder path = new StringBuilder();
        classPath.forEach(entry -> path.append(entry).append(File.pathSeparator));
        arguments.addAll(List.of("-classpath", path + System.getProperty("java.class.path")));
        Map<String, String> all = new LinkedHashMap<>(stubs);
        all.putAll(sources);
        for (Map.Entry<String, String> source : all.entrySet()) {
            Path file = scratch.resolve("src").resolve(source.getKey().replace('.', File.separatorChar) + ".java");
            Files.createDirectories(file.getParent());
            arguments.add(Files.writeString(file, source.getValue()).toString());
        }
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("The tests need a JDK (javax.tools) to build a plugin jar");
        }
        OutputStream errors = new java.io.ByteArrayOutputStream();
        int status = javac.run(null, null, errors, arguments.toArray(String[]::new));
        if (status != 0) {
            throw new IllegalStateException("Cannot compile the test plugin (javac exit " + status + "):\n" + errors);
        }
    }

    /** The class files of the plugin's own sources (nested classes included), not of the stubs. */
    private List<Path> packagedClasses(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> {
                        String name = classes.relativize(file).toString().replace(File.separatorChar, '.');
                        String binary = name.substring(0, name.length() - ".class".length());
                        String topLevel = binary.contains("$") ? binary.substring(0, binary.indexOf('$')) : binary;
                        return sources.containsKey(topLevel);
                    })
                    .sorted()
                    .toList();
        }
    }

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
