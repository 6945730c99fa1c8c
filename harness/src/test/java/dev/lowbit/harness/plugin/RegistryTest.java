package dev.lowbit.harness.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistryTest {

    private final List<Discovered<Quantizer>> builtIns =
            new PluginLoader(RegistryTest.class.getClassLoader()).load(Quantizer.class);

    @Test
    void findsTheBuiltInsThroughServiceLoaderWithTheirJar() {
        QuantizerRegistry registry = new QuantizerRegistry(builtIns);
        assertThat(registry.ids()).containsExactly("binary", "fp32", "quinary", "ternary");
        assertThat(registry.all()).allSatisfy(entry -> assertThat(entry.source()).startsWith("built-in"));
    }

    @Test
    void anUnknownIdListsTheIdsThatExist() {
        QuantizerRegistry registry = new QuantizerRegistry(builtIns);
        assertThatThrownBy(() -> registry.get("int3"))
                .isInstanceOf(BadInputException.class)
                .hasMessage("No quantizer with id 'int3'. Available: [binary, fp32, quinary, ternary]."
                        + " Put its jar in plugins/ or run 'lowbit list'.");
    }

    @Test
    void aDuplicateIdNamesBothSources() {
        Quantizer ternary = builtIns.stream().map(Discovered::plugin).filter(q -> q.id().equals("ternary"))
                .findFirst().orElseThrow();
        List<Discovered<Quantizer>> twice = List.of(
                new Discovered<>(ternary, "built-in (a.jar)"), new Discovered<>(ternary, "plugins/b.jar"));
        assertThatThrownBy(() -> new QuantizerRegistry(twice))
                .hasMessage("Two quantizers with id 'ternary': built-in (a.jar) and plugins/b.jar. Remove one of them.");
    }
}
