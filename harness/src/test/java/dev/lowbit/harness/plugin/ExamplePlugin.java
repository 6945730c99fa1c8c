package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The jar the plugins-example module built: pow2 and lenet-5, made like an outsider's plugin. Found by
 * path (surefire's {@code lowbit.example.plugin}); harness never depends on the module.
 */
public final class ExamplePlugin {

    /** The quantizer and the architecture it provides. */
    public static final String QUANTIZER = "pow2";

    public static final String ARCHITECTURE = "lenet-5";

    private ExamplePlugin() {}

    /** The built jar. */
    public static Path jar() {
        String property = System.getProperty("lowbit.example.plugin");
        assertThat(property)
                .as("system property lowbit.example.plugin (set in harness/pom.xml)")
                .isNotNull();
        Path jar = Path.of(property).toAbsolutePath().normalize();
        assertThat(jar)
                .as("the plugins-example jar; build it first: mvn package -pl plugins-example -am")
                .isRegularFile();
        return jar;
    }

    /** Its version, from its Maven file name: {@code lowbit-plugins-example-VERSION.jar}. */
    public static String version() {
        String name = jar().getFileName().toString();
        return name.substring("lowbit-plugins-example-".length(), name.length() - ".jar".length());
    }

    /** Copies the jar into {@code folder} (created if needed) under its own name; returns the copy. */
    public static Path copyInto(Path folder) throws IOException {
        return copyInto(folder, jar().getFileName().toString());
    }

    /** Copies the jar into {@code folder} as {@code name}; returns the copy's absolute path. */
    public static Path copyInto(Path folder, String name) throws IOException {
        Files.createDirectories(folder);
        return Files.copy(jar(), folder.resolve(name)).toAbsolutePath();
    }
}
