package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.PluginFolder;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.SchemePlugins;
import dev.lowbit.harness.scheme.Schemes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Suites with activations and layer maps, resolved against activation quantizers and estimators from real jars. */
class PlanSchemesTest {

    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Plugins plugins;
    private Schemes schemes;
    private SuiteLoader loader;

    @BeforeEach
    void jars() throws Exception {
        Path folder = dir.resolve("plugins");
        SchemePlugins.activations(folder);
        SchemePlugins.estimators(folder);
        SchemePlugins.quantizerWithOwnSchemes(folder);
        plugins =
                new Plugins(new PluginLoader(PlanSchemesTest.class.getClassLoader(), PluginFolder.read(folder, true)));
        schemes = Schemes.of(plugins);
        loader = new SuiteLoader(plugins.architectures(), schemes);
    }

    @AfterEach
    void close() {
        plugins.close();
    }

    private String write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("suite.yaml"), yaml).toString();
    }

    private static String suite(String extra) {
        return """
                name: schemes
                dataset: fashion-mnist
                architectures: [cnn-small]
                quantizers: [fp32, ternary, w3]
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, batchSize: 64, epochs: 1}
                seeds: [1]
                trainLimit: 512
                """ + extra;
    }

    @Test
    void activationsAreAGridAxisAndTheFp32TwinRunsOnceWithoutThem() throws Exception {
        List<RunConfig> plan = Plan.of(loader.load(write(suite("activations: [none, int7, clamp:2]\n"))), schemes);

        assertThat(plan)
                .extracting(RunConfig::quantizer, RunConfig::activations)
                .containsExactly(
                        tuple("fp32", "none"),
                        tuple("ternary@mse/tensor", "none"),
                        tuple("ternary@mse/tensor", "int7@absmax/token"),
                        tuple("ternary@mse/tensor", "clamp:2"),
                        tuple("w3@mse/tensor", "none"),
                        tuple("w3@mse/tensor", "int7@absmax/token"),
                        tuple("w3@mse/tensor", "clamp:2"));
    }

    @Test
    void aSuiteThatNamesNoActivationsRunsEachQuantizerWithItsOwn() throws Exception {
        List<RunConfig> plan = Plan.of(loader.load(write(suite(""))), schemes);

        assertThat(plan)
                .extracting(RunConfig::quantizer, RunConfig::activations)
                .containsExactly(
                        tuple("fp32", "none"),
                        tuple("ternary@mse/tensor", "none"),
                        tuple("w3@mse/tensor", "int7@absmax/token"));
    }

    @Test
    void theCommandLineReplacesTheActivationsAndTheLayerPolicy() throws Exception {
        SuiteOverrides overrides = new SuiteOverrides(
                null,
                List.of("ternary~tent"),
                List.of("sgn~tent", "none"),
                "first = fp32;-1=k17@absmax",
                null,
                null,
                null);

        List<RunConfig> plan = Plan.of(loader.load(write(suite("activations: [int7]\n")), overrides), schemes);

        assertThat(plan)
                .extracting(RunConfig::quantizer, RunConfig::activations, RunConfig::layerPolicy)
                .containsExactly(
                        tuple("ternary@mse/tensor~tent", "sgn~tent", "first=fp32;-1=k17@absmax/tensor"),
                        tuple("ternary@mse/tensor~tent", "none", "first=fp32;-1=k17@absmax/tensor"));
        assertThat(overrides.arguments())
                .containsExactly(
                        "--quantizer",
                        "ternary~tent",
                        "--activations",
                        "sgn~tent,none",
                        "--layer-policy",
                        "first = fp32;-1=k17@absmax");
    }

    @Test
    void aLayerMapIsStoredCanonicalAndTheFp32TwinKeepsAll() throws Exception {
        List<RunConfig> plan =
                Plan.of(loader.load(write(suite("layerPolicy: \"first=fp32;*Linear=k9~hard-tanh\"\n"))), schemes);

        assertThat(plan)
                .extracting(RunConfig::layerPolicy)
                .containsExactly(
                        "all",
                        "first=fp32;*Linear=k9@mse/tensor~hard-tanh",
                        "first=fp32;*Linear=k9@mse/tensor~hard-tanh");
    }

    @Test
    void twoActivationSpecsOfOneSchemeWouldTrainTheSameRunsTwice() throws Exception {
        Suite suite = loader.load(write(suite("activations: [int7, int7@absmax/token]\n")));

        assertThatThrownBy(() -> Plan.of(suite, schemes))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Activations 'int7' and 'int7@absmax/token' of suite 'schemes' are the same activation"
                        + " quantizer, int7@absmax/token, so they would train the same runs twice. Keep one of them.");
    }

    @Test
    void badActivationsAndLayerMapsInASuiteFileAreProblemsOnTheirLines() throws Exception {
        String file = write(suite("activations: [int7, int9, clamp:9]\nlayerPolicy: first=fp32;last=int3\n"));

        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Invalid suite '" + file + "': 3 problems" + NL + file
                        + ":9: No activation quantizer 'int9'. Available: [")
                .hasMessageContaining(
                        "]. Put its jar in plugins/ or run 'lowbit list'." + NL
                                + file
                                + ":9: Invalid activation quantizer 'clamp:9': Activation quantizer 'clamp' takes :K, K from 1 to 8"
                                + " (got ':9'). Write none or ID[@OPTIONS or :OPTIONS][~ESTIMATOR], e.g. int8@absmax/token, pact:4 or"
                                + " sign~approx-sign." + NL
                                + file
                                + ":10: Invalid layer map 'first=fp32;last=int3': rule 2 'last=int3': No quantizer with id 'int3'.");
    }

    @Test
    void aGridOfActivationsCountsTheFp32TwinOnceAgainstTheRunBound() {
        List<String> quantizers = new java.util.ArrayList<>(List.of("fp32"));
        for (int i = 0; i < 30; i++) {
            quantizers.add("levels:-1," + (i + 2));
        }
        List<String> activations = java.util.stream.IntStream.rangeClosed(1, 8)
                .mapToObj(k -> "clamp:" + k)
                .toList();
        List<Long> seeds =
                java.util.stream.LongStream.rangeClosed(1, 50).boxed().toList();
        Suite suite = new Suite(
                "big",
                "fashion-mnist",
                List.of("fcnn-small"),
                quantizers,
                activations,
                "all",
                List.of(new dev.lowbit.format.result.Recipe("base", "adam", 0.001, "constant", 64, 1, 0, "none")),
                seeds,
                0,
                0.1,
                0.01,
                null,
                null);

        assertThatThrownBy(() -> Plan.of(suite, schemes))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Suite 'big' has 12,050 runs (1 architectures x 241 quantizer-activation pairs x 1 recipes"
                        + " x 50 seeds), more than the "
                        + String.format(java.util.Locale.ROOT, "%,d", SuiteLimits.MAX_RUNS)
                        + " one plan may hold. Split the study into several suites.");
    }
}
