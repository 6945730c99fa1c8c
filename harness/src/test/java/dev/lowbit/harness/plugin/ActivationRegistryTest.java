package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Activation specs, {@code none} or {@code ID[OPTIONS][~ESTIMATOR]}, resolved against activation quantizers
 * and estimators from real plugin jars, faulty ones included.
 */
class ActivationRegistryTest {

    private static final String FORM = " Write none or ID[@OPTIONS or :OPTIONS][~ESTIMATOR], e.g. int8@absmax/token,"
            + " pact:4 or sign~approx-sign.";

    @TempDir
    Path dir;

    private Path folder;
    private Path activations;
    private Path estimators;
    private PluginLoader loader;

    @BeforeEach
    void jars() throws Exception {
        folder = dir.resolve("plugins");
        activations = SchemePlugins.activations(folder);
        estimators = SchemePlugins.estimators(folder);
    }

    @AfterEach
    void close() {
        if (loader != null) {
            loader.close();
        }
    }

    /**
     * The plugins' activation quantizers and estimators only (and ste), whatever lowbit builds in, so that
     * messages listing what exists stay the same when built-in ones are added.
     */
    private ActivationRegistry registry() {
        loader = new PluginLoader(ActivationRegistryTest.class.getClassLoader(), PluginFolder.read(folder, true));
        EstimatorRegistry fromJars = new EstimatorRegistry(loader.load(GradientEstimator.class).stream()
                .filter(entry -> entry.pluginJar() != null)
                .toList());
        return new ActivationRegistry(
                loader.load(ActivationQuantizer.class).stream()
                        .filter(entry -> entry.pluginJar() != null)
                        .toList(),
                fromJars);
    }

    @Test
    void noneResolvesToNoScheme() {
        ActivationRegistry registry = registry();

        assertThat(registry.resolve("none")).isEmpty();
        assertThat(registry.canonicalSpec("none")).isEqualTo("none");
        assertThat(registry.codeJars("none")).isEmpty();
    }

    @Test
    void specsResolveToTheProvidersOwnClassWithCanonicalSpecs() {
        ActivationRegistry registry = registry();

        assertThat(registry.canonicalSpec("int7")).isEqualTo("int7@absmax/token");
        assertThat(registry.canonicalSpec("int7@absmax/tensor")).isEqualTo("int7@absmax/tensor");
        assertThat(registry.canonicalSpec("clamp")).isEqualTo("clamp:4");
        assertThat(registry.canonicalSpec("clamp:2")).isEqualTo("clamp:2");
        assertThat(registry.canonicalSpec("sgn")).isEqualTo("sgn");
        ActivationScheme int7 = registry.resolve("int7@absmax/tensor").orElseThrow();
        assertThat(int7.quantizer().getClass()).isSameAs(registry.get("int7").getClass());
        assertThat(int7.quantizer().bits()).isEqualTo(7);
        assertThat(int7.estimator()).isSameAs(GradientEstimator.STE);
        assertThat(registry.resolve("int7@absmax/tensor")).containsSame(int7);
    }

    @Test
    void anEstimatorStaysInTheCanonicalSpecOnlyWhenItIsNotTheQuantizersOwn() {
        ActivationRegistry registry = registry();

        ActivationScheme tent = registry.resolve("sgn~tent").orElseThrow();
        assertThat(tent.spec()).isEqualTo("sgn~tent");
        assertThat(tent.estimator()).isSameAs(registry.estimators().get("tent"));
        // sgn trains with its own hard-tanh: naming it changes nothing.
        assertThat(registry.canonicalSpec("sgn~hard-tanh")).isEqualTo("sgn");
        assertThat(registry.resolve("sgn").orElseThrow().estimator().id()).isEqualTo("hard-tanh");
        assertThat(registry.canonicalSpec("int7~hard-tanh")).isEqualTo("int7@absmax/token~hard-tanh");
        assertThat(registry.canonicalSpec("int7~ste")).isEqualTo("int7@absmax/token");
        assertThat(registry.codeJars("int7~hard-tanh")).containsExactly(activations, estimators);
        assertThat(registry.origin("int7~hard-tanh")).isEqualTo(activations + ", estimator from " + estimators);
    }

    @Test
    void badSpecsAreOneLineSayingWhatExistsAndTheForm() {
        ActivationRegistry registry = registry();

        assertThatThrownBy(() -> registry.resolve("int3"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No activation quantizer 'int3'. Available: [clamp, int7, sgn]. Put its jar in plugins/ or"
                        + " run 'lowbit list'.");
        assertThatThrownBy(() -> registry.resolve("int7@absmax/row"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Invalid activation quantizer 'int7@absmax/row': Activation quantizer 'int7' takes"
                        + " @absmax/token or @absmax/tensor (got '@absmax/row')." + FORM);
        assertThatThrownBy(() -> registry.resolve("sgn:2"))
                .hasMessage("Invalid activation quantizer 'sgn:2': Activation quantizer 'sgn' takes no options (got"
                        + " ':2')." + FORM);
        assertThatThrownBy(() -> registry.resolve("Int7")).hasMessage("Invalid activation quantizer 'Int7'." + FORM);
        assertThatThrownBy(() -> registry.resolve("int7 @absmax"))
                .hasMessage("Invalid activation quantizer 'int7" + " @absmax'." + FORM);
        assertThatThrownBy(() -> registry.resolve("none~tent"))
                .hasMessage("Invalid activation quantizer 'none~tent':"
                        + " none quantizes no activations, so it takes no estimator." + FORM);
        assertThatThrownBy(() -> registry.canonicalSpec("int7~swish"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No gradient estimator 'swish'. Available: [hard-tanh, ste, tent]. Put its jar in plugins/"
                        + " or run 'lowbit list'.");
    }

    @Test
    void aConfigureThatThrowsIsThePluginsFaultNamingItsJar() throws Exception {
        Path crashy = SchemePlugins.throwingConfigure(folder);
        ActivationRegistry registry = registry();

        assertThatThrownBy(() -> registry.resolve("crashy:3"))
                .isInstanceOf(PluginCodeException.class)
                .hasMessage("Activation quantizer 'crashy:3' from " + crashy + " failed in configure(':3'):"
                        + " IllegalStateException: boom");
        // Not the user's input: the spec stays as written, and its runs fail with that message when they start.
        assertThat(registry.canonicalSpec("crashy:3")).isEqualTo("crashy:3");
    }

    @Test
    void aConfigureThatHandsBackAnotherClassIsRefused() throws Exception {
        Path impostor = SchemePlugins.substitutingConfigure(folder);
        ActivationRegistry registry = registry();

        assertThatThrownBy(() -> registry.resolve("impostor"))
                .isInstanceOf(PluginCodeException.class)
                .hasMessage("Activation quantizer 'impostor' from " + impostor + " breaks the configure contract: asked"
                        + " for '', it returned a org.example.acts.Impostor$1 with spec 'impostor' instead of a"
                        + " org.example.acts.Impostor whose spec is 'impostor' followed by its options. lowbit trains only"
                        + " the plugin's own class, so that results under its id are its own. Fix configure (README,"
                        + " 'Write your own quantizer'); ActivationQuantizerContract checks it.");
    }

    @Test
    void anActivationQuantizerIdProvidedTwiceNamesBothJarsAndKeepsTheFirst() throws Exception {
        Path again = SchemePlugins.int7Again(folder);

        try (Plugins plugins = new Plugins(
                new PluginLoader(ActivationRegistryTest.class.getClassLoader(), PluginFolder.read(folder, true)))) {
            assertThat(plugins.failures())
                    .extracting(PluginFailure::message)
                    .containsExactly("Activation quantizer id"
                            + " 'int7' is provided twice: " + activations + " and " + again
                            + ". Remove one, or change the"
                            + " plugin's id.");
            assertThat(plugins.fatalFailures(false)).hasSize(1);
            assertThat(plugins.activations().find("int7"))
                    .get()
                    .satisfies(entry -> assertThat(entry.pluginJar()).isEqualTo(activations));
            assertThat(plugins.jars()).contains(activations, estimators);
        }
    }
}
