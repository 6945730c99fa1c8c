package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.QuantizerFactory;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where providers come from: lowbit's own modules, or a plugin jar whose path runs record. */
class PluginLoaderTest {

    @TempDir
    Path dir;

    @Test
    void theBuiltInsComeFromLowbitsOwnModulesAndHaveNoPluginJar() {
        PluginLoader loader = new PluginLoader(PluginLoaderTest.class.getClassLoader());
        QuantizerRegistry quantizers = QuantizerRegistry.load(loader);
        ArchitectureRegistry architectures = new ArchitectureRegistry(loader.load(Architecture.class));

        assertThat(quantizers.all()).isNotEmpty().allSatisfy(entry -> {
            assertThat(entry.pluginJar()).isNull();
            assertThat(entry.source()).isEqualTo("built-in (lowbit-quantizers)");
        });
        assertThat(architectures.all())
                .isNotEmpty()
                .allSatisfy(entry -> assertThat(entry.source()).isEqualTo("built-in (lowbit-architectures)"));
        assertThat(quantizers.factories())
                .isNotEmpty()
                .allSatisfy(entry -> assertThat(entry.pluginJar()).isNull());
        assertThat(architectures.all())
                .isNotEmpty()
                .allSatisfy(entry -> assertThat(entry.pluginJar()).isNull());
        assertThat(quantizers.pluginJars()).isEmpty();
        assertThat(architectures.pluginJars()).isEmpty();
        assertThat(loader.failures()).isEmpty();
    }

    @Test
    void aProviderFromAJarOutsideLowbitIsAPluginWithItsJar() throws Exception {
        Path jar = OutsidePluginJar.build(dir);
        try (URLClassLoader withPlugin =
                new URLClassLoader(new URL[] {jar.toUri().toURL()}, PluginLoaderTest.class.getClassLoader())) {
            PluginLoader loader = new PluginLoader(withPlugin);
            QuantizerRegistry quantizers = QuantizerRegistry.load(loader);

            Map<String, Discovered<QuantizerFactory>> factories = quantizers.factories().stream()
                    .collect(Collectors.toMap(entry -> entry.plugin().name(), Function.identity()));
            assertThat(factories).containsOnlyKeys("dorefa", "levels", "lsq", OutsidePluginJar.FACTORY);
            assertThat(factories.get(OutsidePluginJar.FACTORY).pluginJar()).isEqualTo(jar);
            assertThat(factories.get(OutsidePluginJar.FACTORY).source()).isEqualTo(jar.toString());
            assertThat(factories.get("levels").pluginJar()).isNull();
            assertThat(quantizers.pluginJars()).containsExactly(jar);
            assertThat(new ArchitectureRegistry(loader.load(Architecture.class)).pluginJars())
                    .isEmpty();
            assertThat(loader.failures()).isEmpty();
        }
    }
}
