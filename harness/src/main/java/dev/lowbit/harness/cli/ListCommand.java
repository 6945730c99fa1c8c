package dev.lowbit.harness.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plugin.Discovered;
import dev.lowbit.harness.plugin.PluginFailure;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowbit list}: what lowbit can run, and where each piece came from. */
@Command(
        name = "list",
        mixinStandardHelpOptions = true,
        description = {
            "List quantizers, scale rules, gradient estimators, activation quantizers, architectures,"
                    + " datasets and suites, and where each came from.",
            "With --layers ARCH: the quantized layers of one architecture, as a layer map selects them."
        })
public final class ListCommand implements Callable<Integer> {

    /** Parameter counts are shown for the default dataset's shape. */
    private static final Shape FASHION_MNIST_IMAGE = new Shape(1, 28, 28);

    private static final int FASHION_MNIST_CLASSES = 10;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    PluginOptions pluginOptions;

    @Option(
            names = "--layers",
            paramLabel = "ARCH",
            description = "Print only the quantized layers of this architecture: position, name and weight shape, for"
                    + " the selectors of a layer map (--layer-policy 'first=fp32;-1=k17;*Conv2d=ternary').")
    String layersOf;

    @Option(
            names = "--format",
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table or json (schema lowbit.list/1, docs/JSON.md; default: ${DEFAULT-VALUE}).")
    String format;

    private final PluginHost pluginHost;

    @Inject
    ListCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    @Override
    public Integer call() {
        BadInputException.requireOneOf("--format", format, OutputFormat.TABLE_OR_JSON);
        if (layersOf != null && format.equals(OutputFormat.JSON)) {
            throw new BadInputException("--layers prints a table only; leave out --format json, or --layers to list"
                    + " everything as JSON.");
        }
        Plugins plugins = pluginOptions.open(pluginHost);
        // list shows failures, an id provided twice included, as data; --strict makes any of them an error.
        if (pluginOptions.strict()) {
            PluginOptions.requireUsable(plugins, true);
        }
        QuantizerRegistry quantizers = plugins.quantizers();
        PrintWriter out = spec.commandLine().getOut();
        if (format.equals(OutputFormat.JSON)) {
            try (NDManager manager = NDManager.newBaseManager()) {
                OutputFormat.print(
                        ListDocument.of(plugins, architecture -> {
                            try (NDManager counting = manager.newSubManager()) {
                                return count(architecture, quantizers, counting);
                            }
                        }),
                        out);
            }
            return 0;
        }
        if (layersOf != null) {
            LayerTable.print(
                    plugins.architectures().get(layersOf),
                    quantizers.resolve("fp32"),
                    FASHION_MNIST_IMAGE,
                    FASHION_MNIST_CLASSES,
                    out);
            out.flush();
            return 0;
        }
        out.println("Quantizers (a spec is ID or FACTORY:PARAMETERS, then @RULE[/GRANULARITY] and ~ESTIMATOR)");
        int idWidth = Math.max(
                12,
                quantizers.all().stream()
                        .mapToInt(entry -> entry.plugin().id().length())
                        .max()
                        .orElse(0));
        String row = "  %-" + idWidth + "s %-6s %-5s %-28s %-16s %-16s %s  %s%n";
        out.printf(row, "id", "levels", "zero", "values", "bits/weight", "scale rule", "description", "source");
        for (Discovered<Quantizer> entry : quantizers.all()) {
            Quantizer q = entry.plugin();
            try {
                out.printf(
                        Locale.ROOT,
                        row,
                        q.id(),
                        q.isFullPrecision() ? "-" : String.valueOf(q.levels()),
                        q.alphabet().map(a -> a.hasZero() ? "yes" : "no").orElse("-"),
                        q.alphabet().map(Alphabet::toString).orElse("fp32"),
                        q.isFullPrecision()
                                ? "32"
                                : String.format(Locale.ROOT, "%.2f = log2(%d)", q.bitsPerWeight(), q.levels()),
                        q.scaleRule(),
                        q.description(),
                        entry.source());
            } catch (RuntimeException | LinkageError e) {
                // A plugin's quantizer that cannot describe itself is shown as such; the rest is still listed.
                out.printf("  %-" + idWidth + "s cannot describe itself: %s  %s%n", q.id(), e, entry.source());
            }
        }
        for (Discovered<QuantizerFactory> entry : quantizers.factories()) {
            out.printf(
                    "  %-" + idWidth + "s %s  %s%n",
                    entry.plugin().name() + ":...",
                    entry.plugin().description(),
                    entry.source());
        }
        out.println();
        out.println("Scale rules (append @RULE or @RULE/GRANULARITY, with tensor, channel or group:G, to a quantizer,"
                + " e.g. k17@absmax, ternary@mse/channel, k9@absmax/group:64;"
                + " default " + ScaleRules.DEFAULT + ")");
        Map<Discovered<ScaleRule>, String> rules = new LinkedHashMap<>();
        for (Discovered<ScaleRule> entry : quantizers.scaleRules().all()) {
            try {
                rules.put(entry, entry.plugin().description());
            } catch (RuntimeException | LinkageError e) {
                // A plugin's rule that cannot describe itself is shown as such; the rest is still listed.
                rules.put(entry, "cannot describe itself: " + e);
            }
        }
        int width = rules.values().stream().mapToInt(String::length).max().orElse(0);
        rules.forEach((entry, description) ->
                out.printf("  %-12s %-" + width + "s  %s%n", entry.plugin().id(), description, entry.source()));
        out.println();
        SchemeSections.estimators(plugins.estimators(), out);
        out.println();
        SchemeSections.activations(plugins.activations(), out);
        out.println();
        out.println(
                "Architectures (parameters for 1x28x28 inputs and 10 classes; share quantized with --layer-policy all)");
        out.printf(
                "  %-12s %12s %12s %7s  %-56s %s%n", "id", "parameters", "quantized", "share", "description", "source");
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Discovered<Architecture> entry : plugins.architectures().all()) {
                Architecture architecture = entry.plugin();
                try (NDManager counting = manager.newSubManager()) {
                    MemoryRecord memory = count(architecture, quantizers, counting);
                    out.printf(
                            Locale.ROOT,
                            "  %-12s %,12d %,12d %6.2f%%  %-56s %s%n",
                            architecture.id(),
                            memory.parameters(),
                            memory.quantizedWeights(),
                            100.0 * memory.quantizedWeights() / memory.parameters(),
                            architecture.description(),
                            entry.source());
                } catch (RuntimeException | LinkageError e) {
                    out.printf(
                            "  %-12s cannot be built for 1x28x28 inputs: %s  %s%n",
                            architecture.id(), e, entry.source());
                }
            }
        }
        out.println();
        out.println("Datasets");
        for (String dataset : Datasets.NAMES) {
            out.printf("  %-14s %s%n", dataset, Datasets.describeLocation(dataset, null, System.getenv("LOWBIT_DATA")));
        }
        out.println();
        out.println("Suites");
        out.println("  built-in: " + String.join(", ", SuiteLoader.BUILT_IN) + "; or any suite YAML file");
        out.println();
        printPlugins(plugins, out);
        return 0;
    }

    /** The plugins folder, each plugin that loaded with what it provides, and each failure as its one line. */
    private static void printPlugins(Plugins plugins, PrintWriter out) {
        Path folder = plugins.folder().orElseThrow();
        // A plugin whose every provider failed or was a duplicate is told about under the failures only.
        List<PluginLoader.LoadedPlugin> loaded =
                plugins.loaded().stream().filter(p -> !p.provides().isEmpty()).toList();
        if (!Files.isDirectory(folder)) {
            out.println("Plugins: none (no folder " + folder + "; put plugin jars there, or pass --plugins DIR)");
        } else if (loaded.isEmpty()) {
            out.println("Plugins in " + folder + ": none" + (plugins.failures().isEmpty() ? "" : " loaded"));
        } else {
            out.println("Plugins in " + folder);
            for (PluginLoader.LoadedPlugin plugin : loaded) {
                out.println("  " + plugin.location()
                        + (plugin.jars().size() > 1 ? " (" + plugin.jars().size() + " jars)" : "")
                        + ": " + String.join(", ", plugin.provides()));
            }
        }
        List<PluginFailure> failures = plugins.failures();
        if (!failures.isEmpty()) {
            out.println();
            out.println("Plugin failures (left out; the rest loaded; --strict makes these errors)");
            failures.forEach(failure -> out.println("  " + failure));
        }
    }

    /** Builds and initialises the architecture to count its parameters; any non-fp32 quantizer marks what is quantized. */
    private static MemoryRecord count(Architecture architecture, QuantizerRegistry quantizers, NDManager manager) {
        Quantizer marker = quantizers.all().stream()
                .map(Discovered::plugin)
                .filter(q -> !q.isFullPrecision())
                .findFirst()
                .orElse(quantizers.all().get(0).plugin());
        Block block = architecture.build(FASHION_MNIST_IMAGE, FASHION_MNIST_CLASSES, marker);
        block.setInitializer(new NormalInitializer(), ai.djl.nn.Parameter.Type.WEIGHT);
        block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(FASHION_MNIST_IMAGE));
        return MemoryAccounting.of(block);
    }
}
