package dev.lowbit.harness.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.packing.MemoryAccounting;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.TensorMemory;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.export.PackedModels;
import dev.lowbit.harness.export.QuantizationQuality;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.scheme.RunSchemes;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.train.Checkpoint;
import dev.lowbit.harness.train.EngineSettings;
import dev.lowbit.harness.train.EngineThreads;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowbit export RUN_ID --results DIR -o model.lbw}: packs a trained run and shows its memory tiers. */
@Command(
        name = "export",
        mixinStandardHelpOptions = true,
        description = "Pack a finished run's trained weights into a .lbw file and print its memory, per layer.")
public final class ExportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RUN_ID", description = "The run's id (its folder name).")
    String runId;

    @Option(
            names = "--results",
            defaultValue = "results",
            paramLabel = "DIR",
            description = "Results folder to look in (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(
            names = {"-o", "--output"},
            required = true,
            paramLabel = "FILE",
            description = "The .lbw file to write.")
    Path output;

    @Mixin
    PluginOptions pluginOptions;

    private final PluginHost pluginHost;

    @Inject
    ExportCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    /**
     * Scales are reductions whose last bits depend on the engine's thread count, and the run may have trained with
     * fewer threads than this process would take (one of the workers of {@code lowbit run --workers}): the engine
     * gets the run's own count ({@code threads} in its provenance), so the file is its {@code model.lbw} exactly.
     * Takes effect when the engine starts, which is after this in a {@code lowbit export} process.
     */
    private static void packWithTheRunsThreads(RunRecord run) {
        String recorded = run.provenance() == null ? null : run.provenance().get("threads");
        if (recorded != null && recorded.matches("[1-9][0-9]{0,5}")) {
            EngineSettings.apply(new EngineThreads(Integer.parseInt(recorded), "as run " + run.runId() + " trained"));
        }
    }

    @Override
    public Integer call() {
        OutputPaths.requireWritableFile("-o", output, "model.lbw");
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        ArchitectureRegistry architectures = plugins.architectures();
        Path runDirectory = ResultStore.findRun(results, runId);
        RunRecord run = new ResultStore(results).readRun(runDirectory);
        if (run.status() != RunStatus.FINISHED || run.model() == null) {
            throw new BadInputException("Run '" + runId + "' did not finish (" + run.status()
                    + "), so it has no trained" + " model to export. Train it again with 'lowbit run'.");
        }
        packWithTheRunsThreads(run);
        Schemes schemes = Schemes.of(plugins);
        RunSchemes runSchemes = schemes.forRun(run.config());
        Quantizer quantizer = runSchemes.weights().quantizer();
        try (NDManager manager = NDManager.newBaseManager()) {
            Shape input = new Shape(run.model().inputDimensions());
            Block block = architectures
                    .get(run.config().architecture())
                    .build(input, run.model().classes(), quantizer, runSchemes.policy());
            // As the run trained it: each layer's scheme (trained values included) before the checkpoint restores it.
            QuantizedWeight.nameAll(block);
            runSchemes
                    .layerSchemes()
                    .apply(block, new QuantizerRandom(run.config().seed()));
            ResultStore.initializeFromCheckpoint(runDirectory, block);
            try {
                block.initialize(manager, DataType.FLOAT32, new Shape(1).addAll(input));
            } catch (Checkpoint.MismatchException e) {
                throw new BadInputException(
                        "The checkpoint of run '" + runId + "' does not fit its model: " + e.getMessage()
                                + ". Move its run.json aside and run 'lowbit run' again to retrain it.",
                        e);
            }

            PackedModels.Written written;
            try {
                written = new PackedModels(schemes, architectures)
                        .write(block, runId, run.config(), quantizer, run.model(), MemoryAccounting.of(block), output);
            } catch (UncheckedIOException e) {
                // Checked up front, so only what changed since (a full disk) gets here; the file is left as it was.
                throw new BadInputException(e.getMessage() + ". Free space or give -o another file.", e);
            }
            print(run, written.memory(), QuantizationQuality.of(block), quantizer);
        }
        spec.commandLine().getOut().println("Wrote " + output.toAbsolutePath());
        return 0;
    }

    private void print(RunRecord run, MemoryRecord memory, List<QuantizationQuality> qualities, Quantizer quantizer) {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, QuantizationQuality> quality =
                qualities.stream().collect(Collectors.toMap(QuantizationQuality::tensor, Function.identity()));
        out.printf(
                Locale.ROOT,
                "Run %s: %s with %s, test accuracy %.4f%n",
                runId,
                run.config().architecture(),
                quantizer.spec(),
                run.testAccuracy());
        out.printf(
                "  %-28s %-12s %-6s %9s %9s %9s %11s %11s %11s %9s %7s%n",
                "tensor",
                "shape",
                "k",
                "ideal b/w",
                "packed b/w",
                "entropy",
                "fp32 B",
                "ideal B",
                "packed B",
                "||W-Q||",
                "outer");
        for (TensorMemory tensor : memory.tensors()) {
            QuantizationQuality q = quality.get(tensor.name());
            out.printf(
                    Locale.ROOT,
                    "  %-28s %-12s %-6s %9.3f %9s %9s %,11.0f %,11.1f %,11d %9s %7s%n",
                    tensor.name(),
                    tensor.shape().stream().map(String::valueOf).collect(Collectors.joining("x")),
                    tensor.quantized()
                            ? String.valueOf(
                                    tensor.values() != null ? tensor.values().size() : quantizer.levels())
                            : "fp32",
                    tensor.bitsPerWeight(),
                    tensor.quantized()
                            ? String.format(Locale.ROOT, "%.3f", 8.0 * tensor.packedBytes() / tensor.elements())
                            : "32",
                    tensor.entropyBitsPerWeight() == null
                            ? "-"
                            : String.format(Locale.ROOT, "%.3f", tensor.entropyBitsPerWeight()),
                    tensor.fp32Bytes(),
                    tensor.idealBytes(),
                    tensor.packedBytes(),
                    q == null ? "-" : String.format(Locale.ROOT, "%.4f", q.relativeError()),
                    q == null ? "-" : String.format(Locale.ROOT, "%.4f", q.outermostShare()));
        }
        out.printf(
                Locale.ROOT, "Totals: %,d parameters, %,d quantized%n", memory.parameters(), memory.quantizedWeights());
        out.printf(Locale.ROOT, "  fp32     %,12.0f bytes%n", memory.fp32Bytes());
        out.printf(
                Locale.ROOT,
                "  ideal    %,12.1f bytes  (%.1fx smaller than fp32)%n",
                memory.idealBytes(),
                memory.compression());
        out.printf(
                Locale.ROOT,
                "  packed   %,12d bytes  (the .lbw file, %.1fx smaller than fp32)%n",
                memory.packedBytes(),
                memory.fp32Bytes() / memory.packedBytes());
        out.printf(
                Locale.ROOT, "  entropy  %,12.1f bytes  (codes at their empirical entropy)%n", memory.entropyBytes());
        if (memory.quantizedWeights() > 0) {
            double ideal = quantizer.bitsPerWeight();
            out.printf(
                    Locale.ROOT,
                    "Packed weight bits per quantized weight: %.4f (log2 %d = %.4f, ratio %.4f)%n",
                    memory.packedBitsPerWeight(),
                    quantizer.levels(),
                    ideal,
                    memory.packedBitsPerWeight() / ideal);
        }
    }
}
