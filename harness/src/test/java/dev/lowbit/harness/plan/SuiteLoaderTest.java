package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.cli.CliTest;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteLoaderTest {

    static final String NL = System.lineSeparator();
    static final String ARCHITECTURES = "[cnn-large, cnn-small, fcnn-large, fcnn-small, vit-large, vit-small]";
    static final String QUANTIZERS = "[binary, binaryconnect, binaryconnect-stochastic, bitnet-b1.58, fp32, k16,"
            + " k17, k8, k9, quaternary, quinary, ternary, ttq, twn, xnor]";
    static final String TOP_KEYS = "name, dataset, architectures, quantizers, activations, layerPolicy, recipes, seeds,"
            + " trainLimit, validationShare, parityTolerance";

    private static final PluginLoader LOADER = new PluginLoader(SuiteLoaderTest.class.getClassLoader());
    static final QuantizerRegistry QUANTIZER_REGISTRY = QuantizerRegistry.load(LOADER);
    static final ArchitectureRegistry ARCHITECTURE_REGISTRY = new ArchitectureRegistry(LOADER.load(Architecture.class));

    @TempDir
    Path dir;

    private final SuiteLoader loader = new SuiteLoader(ARCHITECTURE_REGISTRY, QUANTIZER_REGISTRY);

    private String write(String yaml) throws Exception {
        return Files.writeString(dir.resolve("suite.yaml"), yaml).toString();
    }

    @Test
    void reportsEveryProblemWithItsLineAndExitsTwoBeforeAnythingTrains() throws Exception {
        String file = write("""
                name: broken
                dataset: fashion-mnist
                architectures: [fcnn-small, resnet]
                quantizers: [fp32, int3]
                recipes:
                  base:
                    optimizer: adam
                    learningRate: 0.001
                    batchSize: 128
                    epochs: -3
                  augmented:
                    extends: bse
                    augmentation: standard
                seeds: [1]
                epoch: 3
                """);
        Path out = dir.resolve("out");

        CliTest.Result result = CliTest.lowbit("run", "--suite", file, "--out", out.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Invalid suite '" + file + "': 5 problems" + NL
                        + file + ":3: No architecture with id 'resnet'. Available: " + ARCHITECTURES
                        + ". Put its jar in plugins/ or run 'lowbit list'." + NL
                        + file + ":4: No quantizer with id 'int3'. Available: " + QUANTIZERS
                        + ". Put its jar in plugins/ or run 'lowbit list'." + NL
                        + file + ":10: 'epochs' in recipe 'base' must be a whole number from 1 to 1000, got '-3'" + NL
                        + file + ":12: recipe 'augmented' extends 'bse', which is not a recipe of this suite."
                        + " Recipes: [base, augmented]" + NL
                        + file + ":15: unknown key 'epoch'. Keys: " + TOP_KEYS + NL);
        assertThat(result.out()).isEmpty();
        assertThat(out).doesNotExist();
    }

    @Test
    void reportsWrongTypesMissingKeysUnknownChoicesAndNumbersOutOfRange() throws Exception {
        String file = write("""
                name: types
                dataset: mnist
                architectures: fcnn-small
                quantizers: []
                layerPolicy: middle
                recipes:
                  base: {optimizer: adamw, learningRate: fast, schedule: linear, batchSize: 12.5, augmentation: flip, lr: 1}
                  base: {optimizer: sgd}
                seeds: [1, 1]
                validationShare: 0.7
                parityTolerance: 0
                trainLimit: [5]
                """);

        assertThatThrownBy(() -> loader.load(file))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Invalid suite '" + file + "': 16 problems" + NL
                        + file + ":2: unknown dataset 'mnist'. Available: [fashion-mnist, cifar-10]" + NL
                        + file + ":3: 'architectures' must be a list such as [fcnn-small, cnn-small]" + NL
                        + file + ":4: 'quantizers' is empty; name at least one, e.g. [fp32, ternary, levels:-2,-1,1,2]"
                        + NL
                        + file
                        + ":5: No layer policy 'middle'. Available: [all, fp32-first, fp32-last, fp32-first-last], or a"
                        + " layer map such as first=fp32;last=k17." + NL
                        + file
                        + ":7: unknown key 'lr' in recipe 'base'. Keys: extends, optimizer, learningRate, schedule,"
                        + " batchSize, epochs, weightDecay, augmentation" + NL
                        + file + ":7: unknown optimizer 'adamw' in recipe 'base'. Available: [adam, sgd]" + NL
                        + file + ":7: 'learningRate' in recipe 'base' must be a number > 0, got 'fast'" + NL
                        + file + ":7: unknown schedule 'linear' in recipe 'base'. Available: [constant, cosine]" + NL
                        + file + ":7: 'batchSize' in recipe 'base' must be a whole number >= 1, got '12.5'" + NL
                        + file + ":7: unknown augmentation 'flip' in recipe 'base'. Available: [none, standard]" + NL
                        + file
                        + ":7: recipe 'base' has no 'epochs'; every recipe needs optimizer, learningRate, batchSize"
                        + " and epochs" + NL
                        + file + ":8: duplicate recipe 'base' (first on line 7)" + NL
                        + file + ":9: '1' appears twice in 'seeds' (first on line 9)" + NL
                        + file + ":10: 'validationShare' must be a number in [0, 0.5], got '0.7'" + NL
                        + file + ":11: 'parityTolerance' must be a number in (0, 1), got '0'" + NL
                        + file + ":12: 'trainLimit' must be a single value, not a list");
    }

    @Test
    void reportsMissingKeysCyclesAndRecipesWithoutRequiredSettings() throws Exception {
        String file = write("""
                # no name, no seeds
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32]
                recipes:
                  a: {extends: b}
                  b: {extends: a}
                  c: {extends: c}
                  d: {extends: a, epochs: 1}
                  e: {optimizer: sgd, learningRate: 0.1}
                  f: {extends: e, batchSize: 64}
                """);

        assertThatThrownBy(() -> loader.load(file))
                .hasMessage("Invalid suite '" + file + "': 6 problems" + NL
                        + file
                        + ":2: missing key 'name'; a suite needs name, dataset, architectures, quantizers, recipes, seeds"
                        + NL
                        + file
                        + ":2: missing key 'seeds'; a suite needs name, dataset, architectures, quantizers, recipes, seeds"
                        + NL
                        + file + ":6: recipes extend each other in a cycle: a -> b -> a" + NL
                        + file + ":8: recipes extend each other in a cycle: c -> c" + NL
                        + file
                        + ":10: recipe 'e' has no 'batchSize' or 'epochs'; every recipe needs optimizer, learningRate,"
                        + " batchSize and epochs" + NL
                        + file
                        + ":11: recipe 'f' has no 'epochs', nor does a recipe it extends; every recipe needs optimizer,"
                        + " learningRate, batchSize and epochs");
    }

    @Test
    void reportsYamlThatDoesNotParseAndEmptyFilesAsOneProblem() throws Exception {
        String broken = write("name: x\nseeds: [1, 2\n");
        assertThatThrownBy(() -> loader.load(broken))
                .hasMessageStartingWith(
                        "Invalid suite '" + broken + "': 1 problem" + NL + broken + ":3: not valid YAML: ");

        String empty = write("# nothing yet\n");
        assertThatThrownBy(() -> loader.load(empty))
                .hasMessage(
                        "Invalid suite '" + empty + "': 1 problem" + NL + empty
                                + ":1: the file is empty; a suite needs name, dataset, architectures, quantizers, recipes, seeds");
    }

    @Test
    void recipesExtendOtherRecipesInChainsAndKeepFileOrder() throws Exception {
        String file = write("""
                name: chained
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32, "levels:-2,-1,1,2@absmax"]
                recipes:
                  long: {extends: augmented, epochs: 20, weightDecay: 0.0005}
                  base:
                    optimizer: adam
                    learningRate: 1e-3
                    schedule: cosine
                    batchSize: 128
                    epochs: 10
                  augmented:
                    extends: base
                    augmentation: standard
                seeds: [1, 2]
                """);

        Suite suite = loader.load(file);

        assertThat(suite.recipes())
                .containsExactly(
                        new Recipe("long", "adam", 0.001, "cosine", 128, 20, 0.0005, "standard"),
                        new Recipe("base", "adam", 0.001, "cosine", 128, 10, 0, "none"),
                        new Recipe("augmented", "adam", 0.001, "cosine", 128, 10, 0, "standard"));
        assertThat(suite)
                .extracting(Suite::layerPolicy, Suite::trainLimit, Suite::validationShare, Suite::parityTolerance)
                .containsExactly("all", 0, 0.1, 0.01);
        assertThat(Plan.of(suite, s -> QUANTIZER_REGISTRY.resolve(s).spec())).hasSize(12);
    }

    @Test
    void everyBuiltInSuiteIsValidAndThePaperGridHas324Runs() {
        for (String name : SuiteLoader.BUILT_IN) {
            assertThat(loader.load(name).name()).isEqualTo(name);
        }
        assertThat(runs("quick")).hasSize(4);
        assertThat(runs("baselines")).hasSize(6);
        assertThat(runs("paper")).hasSize(324);
        assertThat(runs("paper-lite")).hasSize(216);
        // The converted single-recipe suites keep their recipe's name, so stored runs keep their ids.
        assertThat(loader.load("quick").recipes())
                .containsExactly(new Recipe("adam-constant", "adam", 0.001, "constant", 128, 3, 0, "none"));
        assertThat(loader.load("baselines").recipes()).extracting(Recipe::name).containsExactly("adam-cosine");
        assertThat(loader.load("paper").recipes())
                .containsExactly(
                        new Recipe("base", "adam", 0.001, "cosine", 128, 10, 0, "none"),
                        new Recipe("augmented", "adam", 0.001, "cosine", 128, 10, 0, "standard"));
    }

    @Test
    void paperLiteFitsInOneNightOnTheDevMachine() {
        double seconds =
                TimeEstimate.of(runs("paper-lite"), EpochTimes.builtIn()).total(i -> true);
        // One night: at most 10 hours of training at the measured epoch times.
        assertThat(seconds / 3600).isLessThanOrEqualTo(10.0);
        assertThat(TimeEstimate.of(runs("paper"), EpochTimes.builtIn()).total(i -> true))
                .isGreaterThan(2 * seconds);
    }

    @Test
    void anUnknownSuiteNameListsTheBuiltIns() {
        assertThatThrownBy(() -> loader.load("nightly"))
                .isInstanceOf(BadInputException.class)
                .hasMessage(
                        "No suite 'nightly'. Built-in suites: [quick, baselines, paper, paper-lite]; otherwise give the path of a"
                                + " suite YAML file.");
    }

    private List<RunConfig> runs(String suite) {
        return Plan.of(loader.load(suite), s -> QUANTIZER_REGISTRY.resolve(s).spec());
    }
}
