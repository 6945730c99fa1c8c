package dev.lowbit.harness.cli;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plugin.Discovered;
import dev.lowbit.harness.plugin.PluginFailure;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * What {@code lowbit list --format json} prints: the schema {@value #SCHEMA}, documented field by field in
 * docs/JSON.md. The same content as the table; a plugin's entry that cannot describe itself has its id,
 * its source and an {@code error}, its other fields null.
 */
record ListDocument(
        String schema,
        List<QuantizerEntry> quantizers,
        List<FactoryEntry> quantizerFactories,
        List<Entry> scaleRules,
        List<Entry> estimators,
        List<ActivationEntry> activations,
        List<ArchitectureEntry> architectures,
        List<DatasetEntry> datasets,
        List<String> suites,
        PluginsEntry plugins) {

    static final String SCHEMA = "lowbit.list/1";

    /** A quantizer; levels, zero and values are null for fp32, which has no alphabet. */
    record QuantizerEntry(
            String id,
            Integer levels,
            Boolean zero,
            List<Double> values,
            Double bitsPerWeight,
            String scaleRule,
            String description,
            String source,
            String error) {}

    record FactoryEntry(String name, String description, String source) {}

    /** A scale rule or a gradient estimator. */
    record Entry(String id, String description, String source, String error) {}

    record ActivationEntry(
            String id, String defaultSpec, Double bits, String description, String source, String error) {}

    /** Parameter counts for 1x28x28 inputs and 10 classes, as in the table. */
    record ArchitectureEntry(
            String id, Long parameters, Long quantized, String description, String source, String error) {}

    record DatasetEntry(String name, String location) {}

    /**
     * @param folder the plugins folder
     * @param exists whether it exists
     * @param loaded each plugin that provides something
     * @param failures each failure as its one line
     */
    record PluginsEntry(String folder, boolean exists, List<PluginEntry> loaded, List<String> failures) {}

    record PluginEntry(String location, List<String> jars, List<String> provides) {}

    static ListDocument of(Plugins plugins, Function<Architecture, MemoryRecord> count) {
        QuantizerRegistry quantizers = plugins.quantizers();
        List<QuantizerEntry> quantizerEntries = new ArrayList<>();
        for (Discovered<Quantizer> entry : quantizers.all()) {
            Quantizer q = entry.plugin();
            try {
                boolean fp32 = q.isFullPrecision();
                quantizerEntries.add(new QuantizerEntry(
                        q.id(),
                        fp32 ? null : q.levels(),
                        q.alphabet().map(a -> a.hasZero()).orElse(null),
                        q.alphabet()
                                .map(a -> Arrays.stream(a.values()).boxed().toList())
                                .orElse(null),
                        fp32 ? 32.0 : q.bitsPerWeight(),
                        q.scaleRule(),
                        q.description(),
                        entry.source(),
                        null));
            } catch (RuntimeException | LinkageError e) {
                quantizerEntries.add(new QuantizerEntry(
                        q.id(), null, null, null, null, null, null, entry.source(), "cannot describe itself: " + e));
            }
        }
        List<FactoryEntry> factories = quantizers.factories().stream()
                .map(entry ->
                        new FactoryEntry(entry.plugin().name(), entry.plugin().description(), entry.source()))
                .toList();
        List<Entry> rules = new ArrayList<>();
        for (Discovered<ScaleRule> entry : quantizers.scaleRules().all()) {
            rules.add(describe(
                    entry.plugin().id(), entry.source(), () -> entry.plugin().description()));
        }
        List<Entry> estimators = new ArrayList<>();
        for (Discovered<GradientEstimator> entry : plugins.estimators().all()) {
            estimators.add(describe(
                    entry.plugin().id(), entry.source(), () -> entry.plugin().description()));
        }
        List<ActivationEntry> activations = new ArrayList<>();
        for (Discovered<ActivationQuantizer> entry : plugins.activations().all()) {
            ActivationQuantizer quantizer = entry.plugin();
            try {
                ActivationQuantizer configured = quantizer.configure("");
                activations.add(new ActivationEntry(
                        quantizer.id(),
                        configured.spec(),
                        configured.bits(),
                        quantizer.description(),
                        entry.source(),
                        null));
            } catch (RuntimeException | LinkageError e) {
                activations.add(new ActivationEntry(
                        quantizer.id(), null, null, null, entry.source(), "cannot describe itself: " + e));
            }
        }
        List<ArchitectureEntry> architectures = new ArrayList<>();
        for (Discovered<Architecture> entry : plugins.architectures().all()) {
            Architecture architecture = entry.plugin();
            try {
                MemoryRecord memory = count.apply(architecture);
                architectures.add(new ArchitectureEntry(
                        architecture.id(),
                        memory.parameters(),
                        memory.quantizedWeights(),
                        architecture.description(),
                        entry.source(),
                        null));
            } catch (RuntimeException | LinkageError e) {
                architectures.add(new ArchitectureEntry(
                        architecture.id(),
                        null,
                        null,
                        null,
                        entry.source(),
                        "cannot be built for 1x28x28 inputs: " + e));
            }
        }
        List<DatasetEntry> datasets = Datasets.NAMES.stream()
                .map(name ->
                        new DatasetEntry(name, Datasets.describeLocation(name, null, System.getenv("LOWBIT_DATA"))))
                .toList();
        return new ListDocument(
                SCHEMA,
                quantizerEntries,
                factories,
                rules,
                estimators,
                activations,
                architectures,
                datasets,
                List.copyOf(SuiteLoader.BUILT_IN),
                plugins(plugins));
    }

    private interface Description {
        String get();
    }

    /** A plugin's description, or that it cannot give one. */
    private static Entry describe(String id, String source, Description description) {
        try {
            return new Entry(id, description.get(), source, null);
        } catch (RuntimeException | LinkageError e) {
            return new Entry(id, null, source, "cannot describe itself: " + e);
        }
    }

    private static PluginsEntry plugins(Plugins plugins) {
        var folder = plugins.folder().orElseThrow();
        // As in the table: a plugin whose every provider failed or was a duplicate is told about under failures.
        List<PluginEntry> loaded = plugins.loaded().stream()
                .filter(p -> !p.provides().isEmpty())
                .map((PluginLoader.LoadedPlugin p) -> new PluginEntry(
                        p.location().toString(),
                        p.jars().stream().map(Object::toString).toList(),
                        List.copyOf(p.provides())))
                .toList();
        return new PluginsEntry(
                folder.toString(),
                Files.isDirectory(folder),
                loaded,
                plugins.failures().stream().map(PluginFailure::toString).toList());
    }
}
