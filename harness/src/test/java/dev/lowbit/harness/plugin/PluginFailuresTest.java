package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each way a plugin can fail, from real jars in a real plugins folder: one line naming the jar and the
 * cause, and the good plugins beside it (plugins-example's jar and an outside factory) still load.
 */
class PluginFailuresTest {

    @TempDir
    Path dir;

    private Path folder;
    private Path example;
    private Path outside;
    private Plugins plugins;

    @BeforeEach
    void goodPlugins() throws Exception {
        folder = dir.resolve("plugins");
        example = ExamplePlugin.copyInto(folder);
        outside = OutsidePluginJar.build(folder);
    }

    @AfterEach
    void close() {
        if (plugins != null) {
            plugins.close();
        }
    }

    private Plugins load() {
        plugins = new Plugins(
                new PluginLoader(PluginFailuresTest.class.getClassLoader(), PluginFolder.read(folder, true)));
        return plugins;
    }

    /** The example's quantizer and architecture and the outside factory loaded, from their jars. */
    private void assertTheGoodPluginsLoaded(Plugins loaded) {
        assertThat(loaded.quantizers().ids()).contains(ExamplePlugin.QUANTIZER, "ternary");
        assertThat(loaded.quantizers().all())
                .filteredOn(d -> d.plugin().id().equals(ExamplePlugin.QUANTIZER))
                .singleElement()
                .satisfies(d -> {
                    assertThat(d.pluginJar()).isEqualTo(example);
                    assertThat(d.source()).isEqualTo(example + " (version " + ExamplePlugin.version() + ")");
                });
        assertThat(loaded.architectures().all())
                .filteredOn(d -> d.plugin().id().equals(ExamplePlugin.ARCHITECTURE))
                .singleElement()
                .satisfies(d -> assertThat(d.pluginJar()).isEqualTo(example));
        assertThat(loaded.quantizers().factories())
                .extracting(d -> d.plugin().name())
                .contains(OutsidePluginJar.FACTORY);
        assertThat(loaded.loaded())
                .extracting(PluginLoader.LoadedPlugin::location)
                .contains(example, outside);
    }

    private static List<String> messages(Plugins loaded) {
        return loaded.failures().stream().map(PluginFailure::message).toList();
    }

    @Test
    void aGoodFolderLoadsWithoutFailuresAndSaysWhatEachPluginProvides() {
        Plugins loaded = load();
        assertThat(loaded.failures()).isEmpty();
        assertTheGoodPluginsLoaded(loaded);
        assertThat(loaded.loaded())
                .containsExactly(
                        new PluginLoader.LoadedPlugin(
                                example, List.of(example), List.of("quantizer pow2", "architecture lenet-5")),
                        new PluginLoader.LoadedPlugin(outside, List.of(outside), List.of("quantizer factory outside")));
        assertThat(loaded.jars()).containsExactly(example, outside);
    }

    @Test
    void aJarThatIsNotAJarIsNamed() throws Exception {
        Path jar = BrokenPlugins.notAJar(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin '" + jar + "' is not a jar (zip END header not found)."
                        + " Replace it with the jar 'mvn package' built, or remove it.");
        assertThat(loaded.failures()).extracting(PluginFailure::kind).containsExactly(PluginFailure.Kind.BROKEN);
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aProviderClassMissingFromItsJarIsNamed() throws Exception {
        Path jar = BrokenPlugins.missingProvider(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin '" + jar + "': META-INF/services/dev.lowbit.api.spi.Quantizer"
                        + " names org.example.missing.GoneQuantizer, which is not in the plugin. Add the class to the jar or"
                        + " remove its line.");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aProviderWhoseConstructorThrowsIsNamedWithTheCause() throws Exception {
        Path jar = BrokenPlugins.throwingConstructor(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin '" + jar + "': org.example.throwing.ThrowingQuantizer threw"
                        + " in its constructor: java.lang.IllegalStateException: no licence key in ~/.throwing. Fix the"
                        + " constructor (a provider should only be cheap to create) or remove the plugin.");
        assertThat(loaded.quantizers().ids()).doesNotContain("throwing");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aProviderCompiledAgainstAnOlderApiIsNamedWithTheMethodsItLacks() throws Exception {
        Path jar = BrokenPlugins.olderApi(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly(
                        "Plugin '" + jar + "' was compiled against an incompatible lowbit"
                                + " api: org.example.old.OldQuantizer does not implement Quantizer's alphabet(), codes(NDArray, NDArray),"
                                + " scale(NDArray), scaleRule(), values(NDArray). Rebuild it against the lowbit-api of this lowbit.");
        assertThat(loaded.quantizers().ids()).doesNotContain("old");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aProviderCompiledAgainstANewerApiIsNamedWithTheMissingMethod() throws Exception {
        Path jar = BrokenPlugins.newerApi(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly(
                        "Plugin '" + jar + "' was compiled against an incompatible lowbit"
                                + " api: org.example.newer.NewerQuantizer: java.lang.NoSuchMethodError: 'dev.lowbit.api.spi.Alphabet"
                                + " dev.lowbit.api.spi.Alphabet.powersOfTwo(int)'. Rebuild it against the lowbit-api of this lowbit.");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aLibraryLowbitHasButDoesNotShareIsMissingForAPluginThatDoesNotBundleIt() throws Exception {
        Path jar = BrokenPlugins.missingLibrary(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin '" + jar + "': org.example.guava.GuavaQuantizer needs"
                        + " com.google.common.base.Preconditions, which is neither in the plugin nor shared by lowbit (only"
                        + " dev.lowbit.api, ai.djl and org.slf4j are). Bundle that library with the plugin: in a fat jar, or as"
                        + " a jar beside it in the plugin's own folder.");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aJarWithoutServicesFilesProvidesNothingAndSaysSo() throws Exception {
        Path jar = BrokenPlugins.providesNothing(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin '" + jar + "' provides no quantizer, quantizer factory, scale rule,"
                        + " gradient estimator, activation quantizer or architecture: it has no"
                        + " META-INF/services/dev.lowbit.api.spi.Quantizer, .QuantizerFactory, .ScaleRule, .GradientEstimator,"
                        + " .ActivationQuantizer or .Architecture file. Add one naming your class (README, 'Write your own"
                        + " quantizer').");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aPluginFolderWithoutJarsIsNamed() throws Exception {
        Path empty = Files.createDirectories(folder.resolve("empty"));
        Files.writeString(empty.resolve("README.txt"), "no jars here");
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Plugin folder '" + empty + "' holds no .jar files. Put the"
                        + " plugin's jar and the libraries it needs in it, or remove the folder.");
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void aPluginThatReusesABuiltInIdIsADuplicateNamingBothAndTheBuiltInIsKept() throws Exception {
        Path jar = BrokenPlugins.duplicateOfTernary(folder);
        Plugins loaded = load();
        assertThat(messages(loaded))
                .containsExactly("Quantizer id 'ternary' is provided twice: built-in" + " (lowbit-quantizers) and "
                        + jar + ". Remove one, or change the plugin's id.");
        assertThat(loaded.failures()).extracting(PluginFailure::kind).containsExactly(PluginFailure.Kind.DUPLICATE);
        assertThat(loaded.quantizers().all())
                .filteredOn(d -> d.plugin().id().equals("ternary"))
                .singleElement()
                .satisfies(d -> assertThat(d.source()).isEqualTo("built-in (lowbit-quantizers)"));
        assertTheGoodPluginsLoaded(loaded);
    }

    @Test
    void twoPluginsWithTheSameIdsNameBothJarsAndTheFirstByFileNameIsKept() throws Exception {
        Path copy = ExamplePlugin.copyInto(folder, "a-copy-of-the-example.jar");
        Plugins loaded = load();
        String version = " (version " + ExamplePlugin.version() + ")";
        assertThat(messages(loaded))
                .containsExactly(
                        "Quantizer id 'pow2' is provided twice: " + copy + version + " and " + example + version
                                + ". Remove one, or change the plugin's id.",
                        "Architecture id 'lenet-5' is provided twice: " + copy + version + " and " + example + version
                                + ". Remove one, or change the plugin's id.");
        assertThat(loaded.quantizers().all())
                .filteredOn(d -> d.plugin().id().equals("pow2"))
                .singleElement()
                .satisfies(d -> assertThat(d.pluginJar()).isEqualTo(copy));
    }

    @Test
    void everyFailureAtOnceNamesEachBrokenJarOnceAndLeavesTheGoodPluginsLoaded() throws Exception {
        List<Path> broken = List.of(
                BrokenPlugins.missingLibrary(folder),
                BrokenPlugins.missingProvider(folder),
                BrokenPlugins.newerApi(folder),
                BrokenPlugins.notAJar(folder),
                BrokenPlugins.providesNothing(folder),
                BrokenPlugins.olderApi(folder),
                BrokenPlugins.throwingConstructor(folder));
        Plugins loaded = load();
        assertThat(loaded.failures()).hasSize(broken.size());
        for (Path jar : broken) {
            assertThat(messages(loaded))
                    .as("failures naming %s", jar)
                    .filteredOn(m -> m.contains("'" + jar + "'"))
                    .hasSize(1);
        }
        assertTheGoodPluginsLoaded(loaded);
        // Only the jars that provide something are recorded for provenance.
        assertThat(loaded.jars()).containsExactly(example, outside);
    }
}
