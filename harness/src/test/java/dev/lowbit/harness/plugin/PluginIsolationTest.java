package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.PackageVersion;
import dev.lowbit.api.spi.Quantizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin that bundles a different version of a library lowbit also uses (Jackson 2.17 against
 * lowbit's 2.21) loads with its own version, while lowbit keeps its own. (Its training run is in
 * {@code PluginCliTest}.)
 */
class PluginIsolationTest {

    @TempDir
    Path dir;

    @Test
    void aPluginSeesTheLibraryVersionItBundlesAndLowbitKeepsItsOwn() throws Exception {
        Path plugins = dir.resolve("plugins");
        List<Path> jars = JacksonPlugin.buildInto(plugins);
        try (Plugins loaded = new Plugins(
                new PluginLoader(PluginIsolationTest.class.getClassLoader(), PluginFolder.read(plugins, true)))) {
            assertThat(loaded.failures()).isEmpty();
            Quantizer json = loaded.quantizers().get(JacksonPlugin.QUANTIZER);

            assertThat(json.description())
                    .isEqualTo("levels from JSON, read with jackson-databind " + JacksonPlugin.JACKSON_VERSION);
            assertThat(json.alphabet().orElseThrow().values()).containsExactly(-3, -1, 0, 1, 3);
            Class<?> pluginsMapper = json.getClass().getClassLoader().loadClass(ObjectMapper.class.getName());
            assertThat(pluginsMapper).isNotSameAs(ObjectMapper.class);
            assertThat(Path.of(pluginsMapper
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI())
                            .getFileName())
                    .hasToString("jackson-databind-" + JacksonPlugin.JACKSON_VERSION + ".jar");
            // lowbit's own Jackson is untouched: still its version, still the one it writes run.json with.
            assertThat(PackageVersion.VERSION.toString()).isNotEqualTo(JacksonPlugin.JACKSON_VERSION);
            assertThat(new ObjectMapper().writeValueAsString(List.of(1, 2))).isEqualTo("[1,2]");

            // The folder is one plugin: all its jars are recorded for provenance, the plugin's own first in the list.
            assertThat(loaded.loaded()).singleElement().satisfies(plugin -> {
                assertThat(plugin.location())
                        .isEqualTo(plugins.resolve("json-levels").toAbsolutePath());
                assertThat(plugin.provides()).containsExactly("quantizer " + JacksonPlugin.QUANTIZER);
            });
            assertThat(loaded.jars()).containsExactlyInAnyOrderElementsOf(jars);
            assertThat(loaded.quantizers().all())
                    .filteredOn(d -> d.plugin().id().equals(JacksonPlugin.QUANTIZER))
                    .singleElement()
                    .satisfies(d -> assertThat(d.source()).isEqualTo(jars.get(0) + " (version 1.0)"));
        }
    }
}
