package dev.lowbit.harness.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/** Loads a suite by built-in name ({@code quick}) or from a YAML file. */
public final class SuiteLoader {

    /** The suites that ship inside lowbit. */
    public static final List<String> BUILT_IN = List.of("quick");

    private final ObjectMapper yaml = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    /** The suite named {@code nameOrFile}: a built-in name, or a path to a YAML file. */
    public Suite load(String nameOrFile) {
        if (BUILT_IN.contains(nameOrFile)) {
            String resource = "/dev/lowbit/harness/suites/" + nameOrFile + ".yaml";
            try (InputStream in = SuiteLoader.class.getResourceAsStream(resource)) {
                return yaml.readValue(in, Suite.class);
            } catch (IOException e) {
                throw new IllegalStateException("Built-in suite " + resource + " is unreadable", e);
            }
        }
        Path file = Paths.get(nameOrFile);
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("No suite '" + nameOrFile + "'. Built-in suites: " + BUILT_IN
                    + "; otherwise give the path of a suite YAML file.");
        }
        try {
            return yaml.readValue(file.toFile(), Suite.class);
        } catch (IOException e) {
            throw new BadInputException("Invalid suite file '" + file + "': "
                    + e.getMessage().lines().findFirst().orElse("unreadable"), e);
        }
    }
}
