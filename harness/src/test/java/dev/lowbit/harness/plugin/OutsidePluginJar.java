package dev.lowbit.harness.plugin;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds a real plugin jar that is not part of lowbit, as an outsider would: one quantizer factory
 * ({@value #FACTORY}) compiled against the api and registered in {@code META-INF/services}.
 */
public final class OutsidePluginJar {

    /** The name of the jar's quantizer factory. */
    public static final String FACTORY = "outside";

    private static final String SOURCE = """
            package org.example.outside;

            import dev.lowbit.api.spi.Quantizer;
            import dev.lowbit.api.spi.QuantizerFactory;

            public final class OutsideFactory implements QuantizerFactory {
                @Override
                public String name() {
                    return "outside";
                }

                @Override
                public String description() {
                    return "a test plugin from outside lowbit";
                }

                @Override
                public Quantizer create(String parameters) {
                    throw new IllegalArgumentException("the test plugin makes no quantizers");
                }
            }
            """;

    private OutsidePluginJar() {}

    /** Compiles the plugin in {@code dir} and returns the path of its jar, {@code dir/outside-plugin.jar}. */
    public static Path build(Path dir) throws IOException {
        Path sources = Files.createDirectories(dir.resolve("src/org/example/outside"));
        Path source = Files.writeString(sources.resolve("OutsideFactory.java"), SOURCE);
        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        if (javac == null) {
            throw new IllegalStateException("The tests need a JDK (javax.tools) to build a plugin jar");
        }
        int status = javac.run(null, null, null, "--release", "17", "-classpath", System.getProperty("java.class.path"),
                "-d", classes.toString(), source.toString());
        if (status != 0) {
            throw new IllegalStateException("Cannot compile the test plugin (javac exit " + status + ")");
        }
        Path jar = dir.resolve("outside-plugin.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            for (String entry : List.of("org/", "org/example/", "org/example/outside/")) {
                out.putNextEntry(new JarEntry(entry));
                out.closeEntry();
            }
            add(out, "org/example/outside/OutsideFactory.class",
                    Files.readAllBytes(classes.resolve("org/example/outside/OutsideFactory.class")));
            add(out, "META-INF/services/dev.lowbit.api.spi.QuantizerFactory",
                    "org.example.outside.OutsideFactory\n".getBytes(StandardCharsets.UTF_8));
        }
        return jar.toAbsolutePath();
    }

    private static void add(JarOutputStream out, String name, byte[] bytes) throws IOException {
        out.putNextEntry(new JarEntry(name));
        out.write(bytes);
        out.closeEntry();
    }
}
