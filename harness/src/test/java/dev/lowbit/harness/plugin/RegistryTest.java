package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.harness.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryTest {

    private final PluginLoader loader = new PluginLoader(RegistryTest.class.getClassLoader());
    private final List<Discovered<Quantizer>> builtIns = loader.load(Quantizer.class);
    private final List<Discovered<QuantizerFactory>> factories = loader.load(QuantizerFactory.class);

    @Test
    void findsTheBuiltInsThroughServiceLoaderWithTheirJar() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        assertThat(registry.ids())
                .containsExactly(
                        "binary",
                        "binaryconnect",
                        "binaryconnect-stochastic",
                        "bitnet-b1.58",
                        "fp32",
                        "k16",
                        "k17",
                        "k8",
                        "k9",
                        "quaternary",
                        "quinary",
                        "ternary",
                        "ttq",
                        "twn",
                        "xnor");
        assertThat(registry.all())
                .allSatisfy(entry -> assertThat(entry.source()).startsWith("built-in"));
    }

    @Test
    void anUnknownIdListsTheIdsThatExist() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        assertThatThrownBy(() -> registry.get("int3"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No quantizer with id 'int3'. Available: [binary, binaryconnect, binaryconnect-stochastic,"
                        + " bitnet-b1.58, fp32, k16, k17, k8, k9, quaternary, quinary, ternary, ttq, twn, xnor]. Put its"
                        + " jar in plugins/ or run 'lowbit list'.");
    }

    @Test
    void resolvesPresetsFactoriesAndScaleRulesToCanonicalSpecs() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        assertThat(registry.resolve("ternary").spec()).isEqualTo("ternary@mse/tensor");
        assertThat(registry.resolve("ternary@absmean").spec()).isEqualTo("ternary@absmean/tensor");
        assertThat(registry.resolve("k17@learned/channel").spec()).isEqualTo("k17@learned/channel");
        assertThat(registry.resolve("levels:2,1,-1,-2@absmax").spec()).isEqualTo("levels:-2,-1,1,2@absmax/tensor");
        assertThat(registry.resolve("fp32").spec()).isEqualTo("fp32");
        assertThat(registry.resolve(registry.resolve("levels:0,1,-1").spec()).spec())
                .isEqualTo("levels:-1,0,1@mse/tensor");
    }

    @Test
    void explainsBadSpecs() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        assertThatThrownBy(() -> registry.resolve("ternary@median"))
                .isInstanceOf(BadInputException.class)
                .hasMessage(
                        "Invalid quantizer 'ternary@median': No scale rule with id 'median'. Available: [absmax, absmean,"
                                + " gauss, learned, minmax, mse]. Put its jar in plugins/ or run 'lowbit list'. Write ID@RULE or"
                                + " ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        assertThatThrownBy(() -> registry.resolve("ternary@mse/row"))
                .hasMessage(
                        "Invalid quantizer 'ternary@mse/row': No scale granularity 'row'. Available: [tensor, channel,"
                                + " group:G], e.g. group:64. Write ID@RULE or ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        assertThatThrownBy(() -> registry.resolve("fp32@mse"))
                .hasMessage(
                        "Invalid quantizer 'fp32@mse': Quantizer 'fp32' is full precision: it has no scale rule. Write ID@RULE"
                                + " or ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        assertThatThrownBy(() -> registry.resolve("values:1,2"))
                .hasMessage(
                        "No quantizer factory 'values' in 'values:1,2'. Available: [dorefa, levels, lsq], e.g. levels:-2,-1,1,2."
                                + " Put its jar in plugins/ or run 'lowbit list'.");
        assertThatThrownBy(() -> registry.resolve("levels:1,1"))
                .hasMessage("Invalid quantizer 'levels:1,1': value 1 appears twice.");
    }

    @Test
    void aSpecResolvesOnceToTheProvidersOwnClass() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        Quantizer absmax = registry.resolve("k9@absmax");
        assertThat(registry.resolve("k9@absmax")).isSameAs(absmax);
        assertThat(absmax.getClass()).isSameAs(registry.get("k9").getClass());
        assertThat(registry.resolve("k9@mse/tensor")).isSameAs(registry.get("k9"));
    }

    @Test
    void findsTheBuiltInScaleRulesThroughServiceLoader() {
        QuantizerRegistry registry = QuantizerRegistry.load(loader);
        assertThat(registry.scaleRules().ids())
                .containsExactly("absmax", "absmean", "gauss", "learned", "minmax", "mse");
        assertThat(registry.scaleRules().all())
                .allSatisfy(entry -> assertThat(entry.source()).isEqualTo("built-in (lowbit-api)"));
    }

    @Test
    void aDuplicateIdNamesBothSources() {
        Quantizer ternary = builtIns.stream()
                .map(Discovered::plugin)
                .filter(q -> q.id().equals("ternary"))
                .findFirst()
                .orElseThrow();
        List<Discovered<Quantizer>> twice =
                List.of(new Discovered<>(ternary, "built-in (a.jar)"), new Discovered<>(ternary, "plugins/b.jar"));
        assertThatThrownBy(() -> new QuantizerRegistry(twice, factories, new ScaleRuleRegistry(List.of())))
                .hasMessage("Quantizer id 'ternary' is provided twice: built-in (a.jar) and plugins/b.jar. Remove one,"
                        + " or change the plugin's id.");
    }
}
