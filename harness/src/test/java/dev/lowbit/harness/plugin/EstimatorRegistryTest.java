package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Gradient estimators from real plugin jars, and weight specs that name them after a tilde:
 * {@code QUANTIZER[@RULE[/GRANULARITY]][~ESTIMATOR]}.
 */
class EstimatorRegistryTest {

    @TempDir
    Path dir;

    private Path folder;
    private Path estimators;
    private Path w3;
    private Plugins plugins;

    @BeforeEach
    void jars() throws Exception {
        folder = dir.resolve("plugins");
        estimators = SchemePlugins.estimators(folder);
        w3 = SchemePlugins.quantizerWithOwnSchemes(folder);
    }

    @AfterEach
    void close() {
        if (plugins != null) {
            plugins.close();
        }
    }

    private Plugins load() {
        plugins = new Plugins(
                new PluginLoader(EstimatorRegistryTest.class.getClassLoader(), PluginFolder.read(folder, true)));
        return plugins;
    }

    /**
     * The quantizers with only the plugins' estimators (and ste), whatever lowbit builds in, so that messages
     * listing the estimators that exist are the same before and after built-in ones are added.
     */
    private QuantizerRegistry withPluginEstimators() {
        PluginLoader loader =
                new PluginLoader(EstimatorRegistryTest.class.getClassLoader(), PluginFolder.read(folder, true));
        EstimatorRegistry fromJars = new EstimatorRegistry(loader.load(GradientEstimator.class).stream()
                .filter(entry -> entry.pluginJar() != null)
                .toList());
        return new QuantizerRegistry(
                loader.load(Quantizer.class),
                loader.load(QuantizerFactory.class),
                new ScaleRuleRegistry(loader.load(ScaleRule.class)),
                fromJars);
    }

    @Test
    void theStraightThroughEstimatorIsThereWithoutAnyProvider() {
        EstimatorRegistry registry = EstimatorRegistry.straightThroughOnly();

        assertThat(registry.ids()).containsExactly("ste");
        assertThat(registry.get("ste")).isSameAs(GradientEstimator.STE);
        assertThat(registry.all()).singleElement().satisfies(entry -> {
            assertThat(entry.source()).isEqualTo("built-in (lowbit-api)");
            assertThat(entry.pluginJar()).isNull();
        });
    }

    @Test
    void aProviderNamedSteTakesThePlaceOfTheApisOwn() {
        GradientEstimator own = new GradientEstimator() {
            @Override
            public String id() {
                return "ste";
            }

            @Override
            public String description() {
                return "the quantizers module's";
            }

            @Override
            public ai.djl.ndarray.NDArray derivative(ai.djl.ndarray.NDArray normalized) {
                return normalized.onesLike();
            }
        };

        EstimatorRegistry registry =
                new EstimatorRegistry(List.of(new Discovered<>(own, "built-in (lowbit-quantizers)")));

        assertThat(registry.ids()).containsExactly("ste");
        assertThat(registry.get("ste")).isSameAs(own);
    }

    @Test
    void pluginEstimatorsLoadFromTheirJarBesideSte() {
        EstimatorRegistry registry = load().estimators();

        assertThat(registry.ids()).contains("hard-tanh", "ste", "tent");
        assertThat(registry.find("hard-tanh")).get().satisfies(entry -> {
            assertThat(entry.pluginJar()).isEqualTo(estimators);
            assertThat(entry.source()).isEqualTo(estimators.toString());
        });
        assertThat(plugins.jars()).contains(estimators);
        assertThat(plugins.loaded())
                .filteredOn(p -> p.location().equals(estimators))
                .singleElement()
                .satisfies(p -> assertThat(p.provides())
                        .containsExactly("gradient estimator hard-tanh", "gradient estimator tent"));
    }

    @Test
    void anUnknownEstimatorListsTheIdsThatExist() {
        assertThatThrownBy(() -> withPluginEstimators().estimators().get("swish"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No gradient estimator 'swish'. Available: [hard-tanh, ste, tent]. Put its jar in"
                        + " plugins/ or run 'lowbit list'.");
    }

    @Test
    void anEstimatorIdProvidedTwiceNamesBothJarsAndKeepsTheFirst() throws Exception {
        Path again = SchemePlugins.hardTanhAgain(folder);

        Plugins loaded = load();

        assertThat(loaded.failures())
                .extracting(PluginFailure::message)
                .containsExactly("Gradient estimator id 'hard-tanh'" + " is provided twice: " + estimators + " and "
                        + again + ". Remove one, or change the plugin's id.");
        assertThat(loaded.failures()).extracting(PluginFailure::kind).containsExactly(PluginFailure.Kind.DUPLICATE);
        assertThat(loaded.estimators().find("hard-tanh"))
                .get()
                .satisfies(entry -> assertThat(entry.pluginJar()).isEqualTo(estimators));
    }

    @Test
    void aWeightSpecWithoutATildeTrainsWithItsQuantizersOwnEstimator() {
        QuantizerRegistry quantizers = load().quantizers();

        WeightScheme ternary = quantizers.resolveScheme("ternary");
        WeightScheme w = quantizers.resolveScheme("w3");

        assertThat(ternary.spec()).isEqualTo("ternary@mse/tensor");
        assertThat(ternary.quantizer()).isSameAs(quantizers.resolve("ternary"));
        assertThat(ternary.estimator()).isSameAs(GradientEstimator.STE);
        assertThat(w.spec()).isEqualTo("w3@mse/tensor");
        assertThat(w.estimator().id()).isEqualTo("hard-tanh");
        assertThat(w.estimator().getClass().getName()).isEqualTo("org.example.w3.Clipped");
    }

    @Test
    void aNamedEstimatorStaysInTheCanonicalSpecOnlyWhenItIsNotTheQuantizersOwn() {
        QuantizerRegistry quantizers = load().quantizers();

        WeightScheme clipped = quantizers.resolveScheme("ternary@absmean~hard-tanh");

        assertThat(clipped.spec()).isEqualTo("ternary@absmean/tensor~hard-tanh");
        assertThat(clipped.estimator()).isSameAs(quantizers.estimators().get("hard-tanh"));
        assertThat(clipped.quantizer()).isSameAs(quantizers.resolve("ternary@absmean"));
        assertThat(quantizers.resolve("ternary@absmean~hard-tanh")).isSameAs(quantizers.resolve("ternary@absmean"));
        assertThat(quantizers.resolveScheme("ternary@absmean~hard-tanh")).isSameAs(clipped);
        assertThat(quantizers.canonicalSpec("ternary~ste")).isEqualTo("ternary@mse/tensor");
        assertThat(quantizers.canonicalSpec("w3~hard-tanh")).isEqualTo("w3@mse/tensor");
        assertThat(quantizers.canonicalSpec("w3~ste")).isEqualTo("w3@mse/tensor~ste");
        assertThat(quantizers.canonicalSpec("levels:1,-1@absmax/channel~tent"))
                .isEqualTo("levels:-1,1@absmax/channel~tent");
        assertThat(quantizers.canonicalSpec(quantizers.canonicalSpec("ternary~tent")))
                .isEqualTo("ternary@mse/tensor~tent");
    }

    @Test
    void groupGranularitiesResolveAndStayCanonical() {
        QuantizerRegistry quantizers = load().quantizers();

        assertThat(quantizers.canonicalSpec("k9@absmax/group:64")).isEqualTo("k9@absmax/group:64");
        assertThat(quantizers.canonicalSpec("k9@absmax/group:64~hard-tanh")).isEqualTo("k9@absmax/group:64~hard-tanh");
        assertThatThrownBy(() -> quantizers.canonicalSpec("k9@absmax/group:0"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Invalid quantizer 'k9@absmax/group:0': No scale granularity 'group:0'. Available: [tensor,"
                        + " channel, group:G], e.g. group:64. Write ID@RULE or ID@RULE/GRANULARITY, e.g. ternary@absmean"
                        + " or k17@mse/channel.");
    }

    @Test
    void badEstimatorsInWeightSpecsAreOneLine() {
        QuantizerRegistry quantizers = withPluginEstimators();

        assertThatThrownBy(() -> quantizers.canonicalSpec("ternary~swish"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No gradient estimator 'swish'. Available: [hard-tanh, ste, tent]. Put its jar in"
                        + " plugins/ or run 'lowbit list'.");
        assertThatThrownBy(() -> quantizers.resolveScheme("fp32~hard-tanh"))
                .isInstanceOf(BadInputException.class)
                .hasMessage(
                        "Invalid quantizer 'fp32~hard-tanh': Quantizer 'fp32' is full precision: it takes no gradient"
                                + " estimator. Write 'fp32' alone.");
        assertThatThrownBy(() -> quantizers.resolveScheme("ternary~"))
                .hasMessage(
                        "No gradient estimator ''. Available: [hard-tanh, ste, tent]. Put its jar in plugins/ or run"
                                + " 'lowbit list'.");
    }

    @Test
    void aSpecsCodeIncludesItsEstimatorsJar() {
        QuantizerRegistry quantizers = load().quantizers();

        assertThat(quantizers.codeJars("ternary@mse/tensor~hard-tanh")).containsExactly(estimators);
        assertThat(quantizers.codeJars("w3@mse/tensor~tent")).containsExactly(estimators, w3);
        assertThat(quantizers.codeJars("ternary@mse/tensor")).isEmpty();
        assertThat(quantizers.origin("ternary@mse/tensor~hard-tanh"))
                .isEqualTo("built-in (lowbit-quantizers), estimator from " + estimators);
    }

    @Test
    void aRegistryBuiltWithoutEstimatorsStillTakesSte() {
        PluginLoader builtIns = new PluginLoader(EstimatorRegistryTest.class.getClassLoader());
        QuantizerRegistry quantizers = new QuantizerRegistry(
                builtIns.load(Quantizer.class),
                builtIns.load(QuantizerFactory.class),
                new ScaleRuleRegistry(builtIns.load(ScaleRule.class)));

        assertThat(quantizers.canonicalSpec("binary~ste")).isEqualTo("binary@mse/tensor");
        assertThatThrownBy(() -> quantizers.canonicalSpec("binary~hard-tanh"))
                .hasMessage(
                        "No gradient estimator 'hard-tanh'. Available: [ste]. Put its jar in plugins/ or run 'lowbit"
                                + " list'.");
    }
}
