package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanTest {

    @TempDir
    Path dir;

    private final PluginLoader loader = new PluginLoader(PlanTest.class.getClassLoader());
    private final QuantizerRegistry quantizers = QuantizerRegistry.load(loader);

    @Test
    void aSuiteFileNamesAlphabetsByValueAndScaleRulesAndStoresCanonicalSpecs() throws Exception {
        Path file = Files.writeString(dir.resolve("alphabets.yaml"), """
                name: alphabets
                dataset: fashion-mnist
                architectures: [fcnn-small]
                quantizers: [fp32, ternary, "levels:2,1,-1,-2", "k17@absmax/channel"]
                recipes:
                  base: {optimizer: adam, learningRate: 0.001, schedule: constant, batchSize: 128, epochs: 2}
                seeds: [1, 2]
                trainLimit: 0
                validationShare: 0.1
                """);

        List<RunConfig> plan = Plan.of(
                new SuiteLoader(name -> {}, quantizers::resolve).load(file.toString()),
                spec -> quantizers.resolve(spec).spec());

        assertThat(plan).hasSize(8);
        assertThat(plan.stream().filter(r -> r.seed() == 1).map(RunConfig::quantizer))
                .containsExactly("fp32", "ternary@mse/tensor", "levels:-2,-1,1,2@mse/tensor", "k17@absmax/channel");
    }
}
