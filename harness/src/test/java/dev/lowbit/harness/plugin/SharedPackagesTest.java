package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which packages a plugin shares with lowbit: those of lowbit-api, DJL's api and SLF4J's api, exactly. */
class SharedPackagesTest {

    private final SharedPackages lowbit = SharedPackages.lowbit();

    @Test
    void theThreeApiJarsAreListedWithoutFallingBack() {
        assertThat(lowbit.fallbackPrefixes()).isEmpty();
        assertThat(lowbit.packages())
                .contains(
                        "dev.lowbit.api",
                        "dev.lowbit.api.spi",
                        "ai.djl",
                        "ai.djl.ndarray",
                        "ai.djl.ndarray.types",
                        "ai.djl.engine",
                        "org.slf4j",
                        "org.slf4j.spi");
    }

    @Test
    void djlsOtherJarsAndLowbitsInternalsAreNotShared() {
        assertThat(lowbit.packages())
                .doesNotContain(
                        "ai.djl.pytorch.engine",
                        "ai.djl.pytorch.jni",
                        "ai.djl.basicdataset",
                        "dev.lowbit.harness.plugin",
                        "dev.lowbit.quantizers",
                        "org.slf4j.simple",
                        "");
        assertThat(lowbit.packages()).noneMatch(name -> name.startsWith("META-INF"));
    }

    @Test
    void classesMatchByExactPackage() {
        assertThat(lowbit.containsClass("ai.djl.ndarray.NDArray")).isTrue();
        assertThat(lowbit.containsClass("ai.djl.ndarray.NDArray$Inner")).isTrue();
        assertThat(lowbit.containsClass("ai.djl.Model")).isTrue();
        assertThat(lowbit.containsClass("ai.djl.pytorch.engine.PtEngine")).isFalse();
        assertThat(lowbit.containsClass("ai.djl.ndarray.mine.Helper"))
                .as("a subpackage DJL's api lacks")
                .isFalse();
        assertThat(lowbit.containsClass("ai.djlx.Foo")).isFalse();
        assertThat(lowbit.containsClass("TopLevel")).isFalse();
    }

    @Test
    void resourcesMatchByTheirDirectoryNeverMetaInfNorTheRoot() {
        assertThat(lowbit.containsResource("ai/djl/engine/api.properties")).isTrue();
        assertThat(lowbit.containsResource("dev/lowbit/api/spi/Quantizer.class"))
                .isTrue();
        assertThat(lowbit.containsResource("ai/djl/pytorch/engine/x.properties"))
                .isFalse();
        assertThat(lowbit.containsResource("ai/djl/engine/sub/x.properties")).isFalse();
        assertThat(lowbit.containsResource("META-INF/services/dev.lowbit.api.spi.Quantizer"))
                .isFalse();
        assertThat(lowbit.containsResource("pytorch-engine.properties")).isFalse();
    }

    @Test
    void aJarThatCannotBeListedFallsBackToItsPrefixAndItsSubpackages() {
        // String comes from the JDK's runtime image: no jar or folder to list.
        SharedPackages fallback =
                SharedPackages.of(List.of(new SharedPackages.SharedJar(String.class, "org.example.api")));

        assertThat(fallback.packages()).isEmpty();
        assertThat(fallback.fallbackPrefixes()).containsExactly("org.example.api");
        assertThat(fallback.containsClass("org.example.api.Foo")).isTrue();
        assertThat(fallback.containsClass("org.example.api.deep.Foo")).isTrue();
        assertThat(fallback.containsClass("org.example.apix.Foo")).isFalse();
        assertThat(fallback.containsResource("org/example/api/deep/x.properties"))
                .isTrue();
        assertThat(fallback.containsResource("META-INF/services/org.example.api.Spi"))
                .isFalse();
    }
}
