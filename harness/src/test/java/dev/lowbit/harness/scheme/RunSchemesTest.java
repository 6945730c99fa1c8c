package dev.lowbit.harness.scheme;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.PluginFolder;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.SchemePlugins;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each quantized layer of a real model trains with, from a run's config, with schemes from real jars. */
class RunSchemesTest {

    private static final Recipe RECIPE = new Recipe("base", "adam", 0.001, "constant", 64, 1, 0, "none");
    private static final Shape IMAGE = new Shape(1, 28, 28);

    @TempDir
    Path dir;

    private Plugins plugins;
    private Schemes schemes;

    @BeforeEach
    void jars() throws Exception {
        Path folder = dir.resolve("plugins");
        SchemePlugins.activations(folder);
        SchemePlugins.estimators(folder);
        plugins = new Plugins(new PluginLoader(RunSchemesTest.class.getClassLoader(), PluginFolder.read(folder, true)));
        schemes = Schemes.of(plugins);
    }

    @AfterEach
    void close() {
        plugins.close();
    }

    private static RunConfig run(String quantizer, String layerPolicy, String activations) {
        return new RunConfig("s", "fashion-mnist", "cnn-small", quantizer, layerPolicy, activations, RECIPE, 0, 0.1, 1);
    }

    private Block build(RunSchemes run) {
        return plugins.architectures()
                .get("cnn-small")
                .build(IMAGE, 10, run.weights().quantizer(), run.policy());
    }

    @Test
    void aLayerMapGivesEachLayerItsRulesSchemeAndTheRunsActivationsUnlessItIsFp32() {
        RunSchemes run = schemes.forRun(
                run("ternary@mse/tensor", "first=fp32;*Linear=k9@mse/tensor~hard-tanh", "int7@absmax/token"));

        List<RunSchemes.Configured> layers = run.layerSpecs(build(run));

        assertThat(run.isPlain()).isFalse();
        assertThat(run.policy().id()).isEqualTo("all");
        assertThat(layers)
                .extracting(
                        c -> c.layer().position(),
                        c -> c.layer().name(),
                        c -> c.spec().weights().spec(),
                        c -> c.spec().weights().estimator().id(),
                        c -> c.spec().activations() == null
                                ? "none"
                                : c.spec().activations().spec())
                .containsExactly(
                        tuple(0, "01QuantizedConv2d", "fp32", "ste", "none"),
                        tuple(1, "05QuantizedConv2d", "ternary@mse/tensor", "ste", "int7@absmax/token"),
                        tuple(2, "10QuantizedLinear", "k9@mse/tensor~hard-tanh", "hard-tanh", "int7@absmax/token"));
        assertThat(layers.get(1).spec().weights()).isSameAs(run.weights());
        assertThat(run.code())
                .extracting(code -> code.getClass().getName())
                .contains("org.example.est.Clipped", "org.example.acts.Int7");
    }

    @Test
    void aPresetKeepsTheLayersTheArchitectureBuiltInFp32WithoutActivations() {
        RunSchemes run = schemes.forRun(run("ternary@mse/tensor~tent", "fp32-first-last", "clamp:2"));

        List<RunSchemes.Configured> layers = run.layerSpecs(build(run));

        assertThat(layers)
                .extracting(
                        c -> c.spec().weights().spec(),
                        c -> c.spec().activations() == null
                                ? "none"
                                : c.spec().activations().spec())
                .containsExactly(
                        tuple("fp32", "none"), tuple("ternary@mse/tensor~tent", "clamp:2"), tuple("fp32", "none"));
        assertThat(layers.get(1).spec().weights().estimator())
                .isSameAs(plugins.estimators().get("tent"));
    }

    @Test
    void aRunWithNoneOfTheNewSchemesIsPlain() {
        RunSchemes run = schemes.forRun(run("ternary@mse/tensor", "fp32-last", "none"));

        assertThat(run.isPlain()).isTrue();
        assertThat(run.activations()).isEmpty();
        assertThat(run.layerSpecs(build(run)))
                .extracting(c -> c.spec().weights().spec())
                .containsExactly("ternary@mse/tensor", "ternary@mse/tensor", "fp32");
        assertThat(schemes.forRun(run("fp32", "all", "none")).isPlain()).isTrue();
    }

    @Test
    void aRuleThatSelectsNoLayerOfTheModelIsRefused() {
        RunSchemes run = schemes.forRun(run("ternary@mse/tensor", "first=fp32;5=k9", "none"));

        assertThatThrownBy(() -> run.layerSpecs(build(run)))
                .isInstanceOf(BadInputException.class)
                .hasMessage(
                        "Layer map 'first=fp32;5=k9@mse/tensor': rule '5=k9@mse/tensor' selects none of the model's 3"
                                + " quantized layers. Run 'lowbit list --layers ARCH' for their positions and names.");
    }
}
