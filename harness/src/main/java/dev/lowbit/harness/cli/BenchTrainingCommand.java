package dev.lowbit.harness.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.bench.ModelFlops;
import dev.lowbit.harness.bench.TrainingBenchmark;
import dev.lowbit.harness.bench.TrainingBenchmark.ArchitectureTimings;
import dev.lowbit.harness.bench.TrainingBenchmark.ModelTimings;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.scheme.RunSchemes;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.train.EngineSettings;
import dev.lowbit.harness.train.EngineThreads;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowbit bench training}: step and epoch times of real training with fp32 and quantized
 * weights, the ratios QAT / fp32 and epoch / FLOP bound (docs/PERFORMANCE.md, "Training speed").
 */
@Command(name = "training", mixinStandardHelpOptions = true,
        description = {"Time the training step and the epoch with fp32 and with each quantizer, in one process.",
                "Builds every model of an architecture (fp32 first), warms each up, then times --repeats windows of"
                        + " --steps steps in turns (so machine noise hits all alike) and --epochs whole epochs in turns;"
                        + " measures the engine's matrix-multiply rate (a 2048x2048 product) and the model's FLOPs per epoch,"
                        + " and prints QAT/fp32 step-time ratios and epoch/FLOP-bound ratios."})
public final class BenchTrainingCommand implements Callable<Integer> {

    private static final List<String> FORMATS = List.of("table", "json");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--arch", split = ",", paramLabel = "ID", defaultValue = "fcnn-large,cnn-small,vit-small",
            description = "Architectures (default: ${DEFAULT-VALUE}).")
    List<String> architectureIds;

    @Option(names = "--quantizer", split = ",(?=[a-z])", splitSynopsisLabel = ",", paramLabel = "SPEC",
            defaultValue = "ternary,k17", description = "Quantizers compared with fp32 (default: ${DEFAULT-VALUE}).")
    List<String> quantizerSpecs;

    @Option(names = "--activations", split = ",(?=[a-z])", splitSynopsisLabel = ",", paramLabel = "SPEC",
            description = "Activation quantizers each quantizer is timed with, as in a suite (default: each"
                    + " quantizer's own, none for most; bitnet-b1.58's is int8@absmax/token).")
    List<String> activationSpecs;

    @Option(names = "--batch-size", defaultValue = "128", paramLabel = "N", description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "Steps per timed window (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--repeats", defaultValue = "7", paramLabel = "R",
            description = "Timed windows per model, in turns (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--warm-up", defaultValue = "15", paramLabel = "N", description = "Untimed steps per model first (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(names = "--epochs", defaultValue = "1", paramLabel = "N",
            description = "Whole epochs timed per model, in turns; 0 skips them (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--format", defaultValue = "table", paramLabel = "FORMAT", description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(names = "--threads", paramLabel = "N", description = "Engine threads (default: as for lowbit run, what"
            + " this process may use).")
    Integer threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder holding Fashion-MNIST.")
    Path data;

    @Mixin
    PluginOptions pluginOptions;

    private final PluginHost pluginHost;

    /** The engine's threads and where their count came from, set when the benchmark starts. */
    private EngineThreads engine;

    @Inject
    BenchTrainingCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    @Override
    public Integer call() {
        if (steps < 1 || repeats < 1 || warmUp < 0 || epochs < 0 || batchSize < 1) {
            throw new BadInputException("--steps, --repeats and --batch-size must be at least 1, --warm-up and --epochs at"
                    + " least 0.");
        }
        BadInputException.requireOneOf("--format", format, FORMATS);
        engine = EngineSettings.apply(threads);
        int engineThreads = engine.count();
        Plugins plugins = pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        QuantizerRegistry quantizers = plugins.quantizers();
        ArchitectureRegistry architectures = plugins.architectures();
        var archs = architectureIds.stream().map(architectures::get).toList();
        Quantizer fp32 = quantizers.resolve("fp32");
        LabeledImages images = Datasets.load("fashion-mnist", data, System.getenv("LOWBIT_DATA"));
        Recipe recipe = new Recipe("bench", "adam", 0.001, "constant", batchSize, Math.max(1, epochs), 0, "none");
        List<TrainingBenchmark.Compared> compared = compared(Schemes.of(plugins), recipe);
        PrintWriter err = spec.commandLine().getErr();
        TrainingBenchmark.Settings settings = new TrainingBenchmark.Settings(recipe, warmUp, steps, repeats, epochs, 1);
        TrainingBenchmark benchmark = new TrainingBenchmark(line -> {
            err.println(line);
            err.flush();
        });
        double gemm = TrainingBenchmark.gemmFlopsPerSecond(2048, 7);
        err.printf(Locale.ROOT, "GEMM 2048x2048 float32: %.1f GFLOP/s%n", gemm / 1e9);
        List<ArchitectureTimings> results = new ArrayList<>();
        for (var architecture : archs) {
            results.add(benchmark.measure(architecture, fp32, compared, images, settings));
        }
        double gemmAfter = TrainingBenchmark.gemmFlopsPerSecond(2048, 7);
        err.printf(Locale.ROOT, "GEMM 2048x2048 float32 again: %.1f GFLOP/s%n", gemmAfter / 1e9);
        double rate = Math.max(gemm, gemmAfter);
        PrintWriter out = spec.commandLine().getOut();
        out.print(format.equals("json") ? json(results, gemm, gemmAfter, rate, engineThreads) : table(results, gemm, gemmAfter, rate, engineThreads));
        out.flush();
        return 0;
    }

    /**
     * Every quantizer spec with every activation spec (each quantizer's own when none are given), resolved as a
     * run would resolve them, so a model is timed with exactly the scheme a run of that name trains.
     */
    private List<TrainingBenchmark.Compared> compared(Schemes schemes, Recipe recipe) {
        List<TrainingBenchmark.Compared> compared = new ArrayList<>();
        for (String quantizerSpec : quantizerSpecs) {
            String weights = schemes.canonicalWeights(quantizerSpec);
            if (schemes.weights(weights).isFullPrecision()) {
                continue; // the reference every quantizer is compared with
            }
            List<String> activations = activationSpecs == null ? List.of(schemes.ownActivations(weights))
                    : activationSpecs.stream().map(schemes::canonicalActivations).toList();
            for (String activation : activations) {
                RunConfig config = new RunConfig("bench", "fashion-mnist", "bench", weights,
                        RunConfig.FP32_LAYER_POLICY, activation, recipe, 0, 0.1, 1);
                RunSchemes run = schemes.forRun(config);
                String label = RunConfig.NO_ACTIVATIONS.equals(activation) ? weights : weights + " + " + activation;
                compared.add(new TrainingBenchmark.Compared(label, run.weights().quantizer(), run.layerSchemes()));
            }
        }
        return compared;
    }

    private String table(List<ArchitectureTimings> results, double gemm, double gemmAfter, double rate, int engineThreads) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "Training speed, batch %d, %d engine threads (%s), OpenMP wait %s, %d cores,"
                + " load average %s%n", batchSize, engineThreads, engine.source(), EngineSettings.waitPolicy(),
                Runtime.getRuntime().availableProcessors(), loadAverage()));
        text.append(String.format(Locale.ROOT, "GEMM rate (2048x2048 float32, median of 7): %.1f GFLOP/s before, %.1f after;"
                + " the FLOP bound uses the faster, %.1f%n", gemm / 1e9, gemmAfter / 1e9, rate / 1e9));
        text.append(String.format(Locale.ROOT, "Step: median of %d windows of %d steps (min-max); QAT/fp32: median of the"
                + " per-window ratios (min-max)%n", repeats, steps));
        // Wide enough for the longest name, e.g. "bitnet-b1.58@absmean/tensor + int8@absmax/token".
        int width = Math.max(20, results.stream().flatMap(a -> a.models().stream())
                .mapToInt(m -> m.quantizer().length()).max().orElse(0));
        text.append(String.format(Locale.ROOT, "%-10s %-" + width + "s %24s %8s %20s %8s %8s %12s %7s%n", "arch",
                "quantizer",
                "step ms", "steps/s", "QAT/fp32", "epoch s", "bound s", "epoch/bound", "data %"));
        for (ArchitectureTimings a : results) {
            double bound = a.epochFlops() / rate;
            for (ModelTimings m : a.models()) {
                double step = TrainingBenchmark.median(m.stepSeconds());
                double epoch = TrainingBenchmark.median(m.epochSeconds());
                double dataShare = m.epochSeconds().isEmpty() ? Double.NaN
                        : TrainingBenchmark.median(m.dataSeconds()) / epoch;
                text.append(String.format(Locale.ROOT, "%-10s %-" + width
                        + "s %8.2f (%6.1f-%6.1f) %8.1f %6.3f (%5.2f-%5.2f) %8s %8.2f %12s %7s%n",
                        a.architecture(), m.quantizer(), step * 1e3, Collections.min(m.stepSeconds()) * 1e3,
                        Collections.max(m.stepSeconds()) * 1e3, 1 / step, TrainingBenchmark.median(m.ratios()),
                        Collections.min(m.ratios()), Collections.max(m.ratios()),
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", epoch), bound,
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", epoch / bound),
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", 100 * dataShare)));
            }
            text.append(String.format(Locale.ROOT, "  %s: %,d parameters, %.2f MFLOP forward per image, %d training +"
                    + " %d validation images, %d steps per epoch, %.1f GFLOP per epoch (3x forward per training image,"
                    + " 1x per validation image)%n", a.architecture(), a.parameters(), a.forwardFlopsPerImage() / 1e6,
                    a.trainImages(), a.validationImages(), a.batchesPerEpoch(), a.epochFlops() / 1e9));
        }
        return text.toString();
    }

    private String json(List<ArchitectureTimings> results, double gemm, double gemmAfter, double rate, int engineThreads) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "training");
        root.put("batchSize", batchSize);
        root.put("steps", steps);
        root.put("repeats", repeats);
        root.put("warmUpSteps", warmUp);
        root.put("epochs", epochs);
        root.put("threads", engineThreads);
        root.put("threadsSource", engine.source());
        root.put("openmpWait", EngineSettings.waitPolicy());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("loadAverage", loadAverage());
        root.put("gemmFlopsPerSecondBefore", gemm);
        root.put("gemmFlopsPerSecondAfter", gemmAfter);
        root.put("gemmFlopsPerSecond", rate);
        root.put("flopsFormula", "forward per image: linear 2*in*out*rows, conv 2*(Cin/g)*k^2*Cout*Hout*Wout, attention"
                + " 4*T^2*d; epoch = " + ModelFlops.TRAINING_FACTOR + " x forward x training images + forward x validation images");
        ArrayNode archs = root.putArray("architectures");
        for (ArchitectureTimings a : results) {
            ObjectNode node = archs.addObject();
            node.put("architecture", a.architecture());
            node.put("parameters", a.parameters());
            node.put("forwardFlopsPerImage", a.forwardFlopsPerImage());
            node.put("trainImages", a.trainImages());
            node.put("validationImages", a.validationImages());
            node.put("stepsPerEpoch", a.batchesPerEpoch());
            node.put("epochFlops", a.epochFlops());
            double bound = a.epochFlops() / rate;
            node.put("flopBoundSeconds", bound);
            ArrayNode models = node.putArray("models");
            for (ModelTimings m : a.models()) {
                ObjectNode model = models.addObject();
                model.put("quantizer", m.quantizer());
                m.stepSeconds().forEach(model.putArray("stepSeconds")::add);
                double step = TrainingBenchmark.median(m.stepSeconds());
                model.put("medianStepSeconds", step);
                model.put("stepsPerSecond", 1 / step);
                m.ratios().forEach(model.putArray("qatOverFp32")::add);
                model.put("medianQatOverFp32", TrainingBenchmark.median(m.ratios()));
                m.epochSeconds().forEach(model.putArray("epochSeconds")::add);
                m.dataSeconds().forEach(model.putArray("dataSeconds")::add);
                if (!m.epochSeconds().isEmpty()) {
                    double epoch = TrainingBenchmark.median(m.epochSeconds());
                    model.put("medianEpochSeconds", epoch);
                    model.put("epochOverFlopBound", epoch / bound);
                    model.put("dataShareOfEpoch", TrainingBenchmark.median(m.dataSeconds()) / epoch);
                }
            }
        }
        try {
            return mapper.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
        }
    }

    private static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            return String.format(Locale.ROOT, "%.2f", load);
        }
    }
}
