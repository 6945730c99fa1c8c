package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Quantizer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** What a plugin sees: its own jars, the JDK, and from lowbit only the api, DJL and SLF4J. */
class PluginClassLoaderTest {

    @TempDir
    Path dir;

    private PluginClassLoader loaderOf(Path jar) {
        return new PluginClassLoader("test", List.of(jar), PluginClassLoaderTest.class.getClassLoader());
    }

    @Test
    void lowbitsApiDjlAndSlf4jAreLowbitsOwnClasses() throws Exception {
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            assertThat(loader.loadClass(Quantizer.class.getName())).isSameAs(Quantizer.class);
            assertThat(loader.loadClass(NDArray.class.getName())).isSameAs(NDArray.class);
            assertThat(loader.loadClass(Logger.class.getName())).isSameAs(Logger.class);
            assertThat(loader.loadClass(String.class.getName())).isSameAs(String.class);
        }
    }

    @Test
    void lowbitsInternalsAndItsOtherLibrariesAreInvisible() throws Exception {
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            for (String hidden : List.of("dev.lowbit.harness.cli.Main", "dev.lowbit.quantizers.TernaryQuantizer",
                    "com.fasterxml.jackson.databind.ObjectMapper", "com.google.common.collect.ImmutableList",
                    "com.google.inject.Guice")) {
                assertThatThrownBy(() -> loader.loadClass(hidden)).as(hidden).isInstanceOf(ClassNotFoundException.class);
            }
        }
    }

    @Test
    void thePluginsOwnClassesComeFromItsJar() throws Exception {
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            Class<?> pow2 = loader.loadClass("dev.lowbit.example.PowerOfTwoQuantizer");
            assertThat(pow2.getClassLoader()).isSameAs(loader);
            assertThat(Quantizer.class).isAssignableFrom(pow2);
            assertThat(Path.of(pow2.getProtectionDomain().getCodeSource().getLocation().toURI()))
                    .isEqualTo(ExamplePlugin.jar());
        }
    }

    @Test
    void aCopyOfTheApiBundledInAPluginIsNeverUsed() throws Exception {
        Path staleApi = PluginJarBuilder.plugin()
                .source("dev.lowbit.api.spi.Quantizer", """
                        package dev.lowbit.api.spi;

                        public interface Quantizer {
                            String id();
                        }
                        """)
                .build(dir.resolve("stale-lowbit-api.jar"));
        try (PluginClassLoader loader = new PluginClassLoader("test", List.of(staleApi, ExamplePlugin.jar()),
                PluginClassLoaderTest.class.getClassLoader())) {
            assertThat(loader.loadClass(Quantizer.class.getName())).isSameAs(Quantizer.class);
            assertThat(Quantizer.class).isAssignableFrom(loader.loadClass("dev.lowbit.example.PowerOfTwoQuantizer"));
        }
    }
}
