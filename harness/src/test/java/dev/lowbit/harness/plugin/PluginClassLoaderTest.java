package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Quantizer;
import java.io.InputStream;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;

/** What a plugin sees: its own jars, the JDK, and from lowbit only the packages of its api, DJL's api and SLF4J. */
class PluginClassLoaderTest {

    @TempDir
    Path dir;

    private PluginClassLoader loaderOf(Path jar) {
        return new PluginClassLoader("test", List.of(jar), PluginClassLoaderTest.class.getClassLoader());
    }

    /** The jar a {@code jar:} resource URL points into. */
    private static Path jarOf(URL resource) throws Exception {
        return Path.of(
                ((JarURLConnection) resource.openConnection()).getJarFileURL().toURI());
    }

    @Test
    void lowbitsApiDjlsApiAndSlf4jAreLowbitsOwnClasses() throws Exception {
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
            for (String hidden : List.of(
                    "dev.lowbit.harness.cli.Main",
                    "dev.lowbit.quantizers.TernaryQuantizer",
                    "com.fasterxml.jackson.databind.ObjectMapper",
                    "com.google.common.collect.ImmutableList",
                    "com.google.inject.Guice")) {
                assertThatThrownBy(() -> loader.loadClass(hidden))
                        .as(hidden)
                        .isInstanceOf(ClassNotFoundException.class);
            }
        }
    }

    @Test
    void thePluginsOwnClassesComeFromItsJar() throws Exception {
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            Class<?> pow2 = loader.loadClass("dev.lowbit.example.PowerOfTwoQuantizer");
            assertThat(pow2.getClassLoader()).isSameAs(loader);
            assertThat(Quantizer.class).isAssignableFrom(pow2);
            assertThat(Path.of(pow2.getProtectionDomain()
                            .getCodeSource()
                            .getLocation()
                            .toURI()))
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
        try (PluginClassLoader loader = new PluginClassLoader(
                "test", List.of(staleApi, ExamplePlugin.jar()), PluginClassLoaderTest.class.getClassLoader())) {
            assertThat(loader.loadClass(Quantizer.class.getName())).isSameAs(Quantizer.class);
            assertThat(Quantizer.class).isAssignableFrom(loader.loadClass("dev.lowbit.example.PowerOfTwoQuantizer"));
        }
    }

    @Test
    void djlsEngineIsLowbitsNotThePlugins() throws Exception {
        String engine = "ai.djl.pytorch.engine.PtEngine";
        assertThat(PluginClassLoaderTest.class.getClassLoader().loadClass(engine))
                .as("on lowbit's class path")
                .isNotNull();
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            assertThatThrownBy(() -> loader.loadClass(engine)).isInstanceOf(ClassNotFoundException.class);
            assertThat(loader.loadClass(NDArray.class.getName())).isSameAs(NDArray.class);
        }
    }

    @Test
    void aPluginsOwnClassInAnAiDjlPackageThatDjlsApiLacksComesFromThePlugin() throws Exception {
        Path jar = PluginJarBuilder.plugin()
                .source("ai.djl.lowbittest.Helper", """
                        package ai.djl.lowbittest;

                        import ai.djl.ndarray.NDArray;

                        public final class Helper {
                            public static long size(NDArray array) {
                                return array.size();
                            }
                        }
                        """)
                .build(dir.resolve("djl-prefixed.jar"));
        try (PluginClassLoader loader = loaderOf(jar)) {
            Class<?> helper = loader.loadClass("ai.djl.lowbittest.Helper");
            assertThat(helper.getClassLoader()).isSameAs(loader);
            // It links against lowbit's NDArray, the one the engine's arrays implement.
            assertThat(helper.getMethod("size", NDArray.class).getParameterTypes()[0])
                    .isSameAs(NDArray.class);
        }
    }

    @Test
    void thePluginsOwnResourcesComeFromItsJar() throws Exception {
        Path jar = PluginJarBuilder.plugin()
                .resource("org/example/levels.json", "[-1, 0, 1]")
                .build(dir.resolve("with-resource.jar"));
        try (PluginClassLoader loader = loaderOf(jar)) {
            URL levels = loader.getResource("org/example/levels.json");
            assertThat(levels).isNotNull();
            assertThat(jarOf(levels)).isEqualTo(jar);
            assertThat(Collections.list(loader.getResources("org/example/levels.json")))
                    .containsExactly(levels);
            try (InputStream in = loader.getResourceAsStream("org/example/levels.json")) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("[-1, 0, 1]");
            }
        }
    }

    @Test
    void aResourceInASharedPackageComesFromLowbitEvenWhenThePluginBundlesACopy() throws Exception {
        String apiProperties = "ai/djl/engine/api.properties";
        ClassLoader lowbit = PluginClassLoaderTest.class.getClassLoader();
        Path jar = PluginJarBuilder.plugin()
                .resource(apiProperties, "djl_version=0.0.1-stale\n")
                .build(dir.resolve("stale-djl-resource.jar"));
        try (PluginClassLoader loader = loaderOf(jar)) {
            assertThat(lowbit.getResource(apiProperties))
                    .as("DJL api's own file")
                    .isNotNull();
            assertThat(loader.getResource(apiProperties)).isEqualTo(lowbit.getResource(apiProperties));
            assertThat(Collections.list(loader.getResources(apiProperties)))
                    .containsExactlyElementsOf(Collections.list(lowbit.getResources(apiProperties)));
            try (InputStream in = loader.getResourceAsStream(apiProperties)) {
                assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8))
                        .doesNotContain("stale");
            }
        }
    }

    @Test
    void lowbitsOtherResourcesAreInvisible() throws Exception {
        // pytorch-engine's own file, at the root of its jar: the engine is lowbit's.
        assertThat(PluginClassLoaderTest.class.getClassLoader().getResource("pytorch-engine.properties"))
                .isNotNull();
        try (PluginClassLoader loader = loaderOf(ExamplePlugin.jar())) {
            assertThat(loader.getResource("pytorch-engine.properties")).isNull();
            assertThat(loader.getResource("ai/djl/pytorch/engine/PtEngine.class"))
                    .isNull();
            assertThat(loader.getResource(PluginLoader.MODULE_MARKER)).isNull();
        }
    }

    @Test
    void aPluginSeesOnlyItsOwnServicesFilesNeverLowbits() throws Exception {
        String services = "META-INF/services/" + Quantizer.class.getName();
        assertThat(Collections.list(PluginClassLoaderTest.class.getClassLoader().getResources(services)))
                .as("the built-ins' services file")
                .isNotEmpty();
        Path withServices = PluginJarBuilder.plugin()
                .service(Quantizer.class, "org.example.services.SomeQuantizer")
                .build(dir.resolve("with-services.jar"));
        Path withoutServices = PluginJarBuilder.plugin()
                .resource("org/example/readme.txt", "no services here")
                .build(dir.resolve("without-services.jar"));
        try (PluginClassLoader loader = loaderOf(withServices)) {
            List<URL> found = Collections.list(loader.getResources(services));
            assertThat(found).hasSize(1);
            assertThat(jarOf(found.get(0))).isEqualTo(withServices);
        }
        try (PluginClassLoader loader = loaderOf(withoutServices)) {
            assertThat(loader.getResource(services)).isNull();
            assertThat(Collections.list(loader.getResources(services))).isEmpty();
        }
    }
}
