package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A plugin in a folder of its own that bundles Jackson 2.17, an older Jackson than lowbit's: its
 * quantizer {@value #QUANTIZER} reads its alphabet from a JSON file in its jar with that Jackson, and
 * says in its description which jackson-databind it sees.
 */
public final class JacksonPlugin {

    /** The id in the plugin's levels.json. */
    public static final String QUANTIZER = "json5";
    /** The Jackson the plugin bundles (harness/pom.xml copies it to {@code lowbit.old.jackson}). */
    public static final String JACKSON_VERSION = "2.17.2";

    private static final String SOURCE = """
            package org.example.json;

            import com.fasterxml.jackson.databind.JsonNode;
            import com.fasterxml.jackson.databind.ObjectMapper;
            import com.fasterxml.jackson.databind.cfg.PackageVersion;
            import dev.lowbit.api.AlphabetQuantizer;
            import dev.lowbit.api.spi.Alphabet;
            import java.io.IOException;
            import java.io.InputStream;
            import java.io.UncheckedIOException;

            public final class JsonLevelsQuantizer extends AlphabetQuantizer {
                private static final JsonNode LEVELS = read();

                public JsonLevelsQuantizer() {
                    super(LEVELS.get("id").asText(), "levels from JSON, read with jackson-databind " + PackageVersion.VERSION,
                            valuesFromJson());
                }

                private static Alphabet valuesFromJson() {
                    JsonNode values = LEVELS.get("values");
                    double[] alphabet = new double[values.size()];
                    for (int i = 0; i < alphabet.length; i++) {
                        alphabet[i] = values.get(i).asDouble();
                    }
                    return Alphabet.of(alphabet);
                }

                private static JsonNode read() {
                    try (InputStream in = JsonLevelsQuantizer.class.getResourceAsStream("/org/example/json/levels.json")) {
                        return new ObjectMapper().readTree(in);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
            """;

    private JacksonPlugin() {}

    /** The Jackson 2.17 jars (databind, core, annotations). */
    public static List<Path> jacksonJars() throws IOException {
        String property = System.getProperty("lowbit.old.jackson");
        assertThat(property)
                .as("system property lowbit.old.jackson (set in harness/pom.xml)")
                .isNotNull();
        Path folder = Path.of(property);
        assertThat(folder)
                .as("the old Jackson the build copies (mvn generate-test-resources)")
                .isDirectory();
        try (Stream<Path> jars = Files.list(folder)) {
            List<Path> found =
                    jars.filter(p -> p.toString().endsWith(".jar")).sorted().toList();
            assertThat(found)
                    .hasSize(3)
                    .allSatisfy(jar -> assertThat(jar.getFileName().toString()).contains(JACKSON_VERSION));
            return found;
        }
    }

    /**
     * Writes the plugin as {@code plugins/json-levels/}: its own jar and the three Jackson jars beside it.
     *
     * @return every jar of the plugin folder, its own first
     */
    public static List<Path> buildInto(Path plugins) throws IOException {
        Path folder = Files.createDirectories(plugins.resolve("json-levels"));
        List<Path> jackson = jacksonJars();
        List<Path> jars = new ArrayList<>();
        jars.add(PluginJarBuilder.plugin()
                .classPath(jackson)
                .source("org.example.json.JsonLevelsQuantizer", SOURCE)
                .resource(
                        "org/example/json/levels.json",
                        "{\"id\": \"" + QUANTIZER + "\", \"values\": [-3, -1, 0, 1, 3]}")
                .service(Quantizer.class, "org.example.json.JsonLevelsQuantizer")
                .version("1.0")
                .build(folder.resolve("json-levels-1.0.jar")));
        for (Path jar : jackson) {
            jars.add(Files.copy(jar, folder.resolve(jar.getFileName())).toAbsolutePath());
        }
        return jars;
    }
}
