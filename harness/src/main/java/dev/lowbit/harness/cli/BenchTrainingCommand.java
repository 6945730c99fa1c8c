package dev.lowbit.harness.cli;

import ai.djl.Device;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
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
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code lowbit bench training}: step and epoch times of real training with fp32 and quantized
 * weights, the ratios QAT / fp32 and epoch / FLOP bound (docs/PERFORMANCE.md, "Training speed").
 */
@Command(
        name = "training",
        mixinStandardHelpOptions = true,
        description = {
            "Time the training step and the epoch with fp32 and with each quantizer, in one process.",
            "Builds every model of an architecture (fp32 first), warms each up, then times --repeats windows of"
                    + " --steps steps in turns (so machine noise hits all alike) and --epochs whole epochs in turns;"
                    + " measures the engine's matrix-multiply rate (a 2048x2048 product) and the model's FLOPs per epoch,"
                    + " and prints QAT/fp32 step-time ratios and epoch/FLOP-bound ratios."
        })
public final class BenchTrainingCommand implements Callable<Integer> {

    private static final List<String> FORMATS = List.of("table", "json");
    /** More copies than this at once are not a machine shared but a machine flooded. */
    static final int MAX_BESIDE = 16;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(
            names = "--arch",
            split = ",",
            paramLabel = "ID",
            defaultValue = "fcnn-large,cnn-small,vit-small",
            description = "Architectures (default: ${DEFAULT-VALUE}).")
    List<String> architectureIds;

    @Option(
            names = "--quantizer",
            split = ",(?=[a-z])",
            splitSynopsisLabel = ",",
            paramLabel = "SPEC",
            defaultValue = "ternary,k17",
            description = "Quantizers compared with fp32 (default: ${DEFAULT-VALUE}).")
    List<String> quantizerSpecs;

    @Option(
            names = "--activations",
            split = ",(?=[a-z])",
            splitSynopsisLabel = ",",
            paramLabel = "SPEC",
            description = "Activation quantizers each quantizer is timed with, as in a suite (default: each"
                    + " quantizer's own, none for most; bitnet-b1.58's is int8@absmax/token).")
    List<String> activationSpecs;

    @Option(
            names = "--batch-size",
            defaultValue = "128",
            paramLabel = "N",
            description = "Batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--steps",
            defaultValue = "20",
            paramLabel = "N",
            description = "Steps per timed window (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(
            names = "--repeats",
            defaultValue = "7",
            paramLabel = "R",
            description = "Timed windows per model, in turns (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--warm-up",
            defaultValue = "15",
            paramLabel = "N",
            description = "Untimed steps per model first (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(
            names = "--epochs",
            defaultValue = "1",
            paramLabel = "N",
            description = "Whole epochs timed per model, in turns; 0 skips them (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--format",
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Engine threads (default: as for lowbit run, what" + " this process may use).")
    Integer threads;

    @Option(names = "--data", paramLabel = "DIR", description = "Folder holding Fashion-MNIST.")
    Path data;

    @Option(
            names = "--beside",
            defaultValue = "0",
            paramLabel = "N",
            description = "Also time N + 1 copies of the benchmark at once, each in its own process, against one copy"
                    + " alone: each copy's step (and epoch) time over the alone time, the cost of sharing the machine"
                    + " (default: ${DEFAULT-VALUE}, time in this process only).")
    int beside;

    /** Set by {@link BenchCopies} on the copies it starts: time as its {@link BenchCopy} protocol says. */
    @Option(names = "--copy", hidden = true)
    boolean copy;

    @Mixin
    PluginOptions pluginOptions;

    @Mixin
    DeviceOption deviceOption;

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
            throw new BadInputException(
                    "--steps, --repeats and --batch-size must be at least 1, --warm-up and --epochs at" + " least 0.");
        }
        BadInputException.requireOneOf("--format", format, FORMATS);
        if (beside < 0 || beside > MAX_BESIDE) {
            throw new BadInputException("--beside must be from 0 to " + MAX_BESIDE + " (copies beside the measured one,"
                    + " all on this machine), got " + beside + ".");
        }
        if (beside > 0) {
            return besideCopies();
        }
        engine = EngineSettings.apply(threads);
        Device device = deviceOption.open();
        int engineThreads = engine.count();
        Workload workload = workload();
        var archs = workload.architectures();
        Quantizer fp32 = workload.fp32();
        LabeledImages images = workload.images();
        List<TrainingBenchmark.Compared> compared = workload.compared();
        PrintWriter err = spec.commandLine().getErr();
        TrainingBenchmark.Settings settings =
                new TrainingBenchmark.Settings(workload.recipe(), warmUp, steps, repeats, epochs, 1, device);
        if (copy) {
            return trainAsCopy(workload, settings, engineThreads);
        }
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
        out.print(
                format.equals("json")
                        ? json(results, gemm, gemmAfter, rate, engineThreads)
                        : table(results, gemm, gemmAfter, rate, engineThreads));
        out.flush();
        return 0;
    }

    /** What is timed: the architectures, fp32 and the models compared with it, the data, the recipe. */
    private record Workload(
            List<Architecture> architectures,
            Quantizer fp32,
            List<TrainingBenchmark.Compared> compared,
            LabeledImages images,
            Recipe recipe) {}

    /** The workload of the options; a bad id, plugin or dataset stops the command here (exit 2). */
    private Workload workload() {
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        QuantizerRegistry quantizers = plugins.quantizers();
        ArchitectureRegistry architectures = plugins.architectures();
        List<Architecture> archs =
                architectureIds.stream().map(architectures::get).toList();
        Quantizer fp32 = quantizers.resolve("fp32");
        LabeledImages images = Datasets.load("fashion-mnist", data, System.getenv("LOWBIT_DATA"));
        Recipe recipe = new Recipe("bench", "adam", 0.001, "constant", batchSize, Math.max(1, epochs), 0, "none");
        return new Workload(archs, fp32, compared(Schemes.of(plugins), recipe), images, recipe);
    }

    /**
     * {@code --beside N}: checks the options as a benchmark here would (so a bad one stops before any copy starts),
     * then coordinates the copies ({@link BenchCopies}) and prints their step and epoch times against the alone ones.
     */
    private int besideCopies() {
        EngineThreads perCopy = EngineThreads.choose(threads);
        workload();
        String load = loadAverage();
        PrintWriter err = spec.commandLine().getErr();
        List<String> arguments = copyArguments();
        err.println("Each copy: lowbit " + String.join(" ", arguments));
        err.flush();
        BenchCopies copies = new BenchCopies(LowbitProcesses.command(arguments), architectureIds.size(), err);
        BenchCopies.Timings timings;
        try {
            timings = copies.measure(beside);
        } catch (BenchCopies.CopyFailedException e) {
            err.println("lowbit: " + e.getMessage() + " The other copies were stopped.");
            err.flush();
            return Main.FAILED;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            err.println("lowbit: interrupted; the copies were stopped.");
            err.flush();
            return Main.FAILED;
        }
        BenchCopiesReport report =
                new BenchCopiesReport(timings, beside, perCopy, load, batchSize, steps, repeats, warmUp, epochs);
        PrintWriter out = spec.commandLine().getOut();
        out.print(format.equals("json") ? report.json() : report.table());
        out.flush();
        return 0;
    }

    /**
     * The arguments of one copy: {@code bench training} with the options given here (so an option added later is
     * passed on too), but JSON, as a copy, and without {@code --beside}.
     */
    private List<String> copyArguments() {
        List<String> arguments = new ArrayList<>(List.of("bench", "training"));
        for (OptionSpec option : spec.commandLine().getParseResult().matchedOptions()) {
            String name = option.longestName();
            if (List.of("--beside", "--format", "--copy").contains(name)) {
                continue;
            }
            if (option.arity().max() == 0) {
                arguments.add(name);
            } else {
                // name=value: a value that starts with '-' is not taken for an option.
                option.originalStringValues().forEach(value -> arguments.add(name + "=" + value));
            }
        }
        arguments.addAll(List.of("--format=json", "--copy"));
        return arguments;
    }

    /**
     * {@code --copy}: times every architecture as {@link BenchCopy} paces it and writes each architecture's
     * timings as it has them, as one line of JSON; skips the GEMM rate, which a copy is not asked for.
     */
    private int trainAsCopy(Workload workload, TrainingBenchmark.Settings settings, int engineThreads) {
        PrintWriter err = spec.commandLine().getErr();
        ObjectMapper compact = new ObjectMapper();
        BenchCopy pacing = new BenchCopy(System.in, spec.commandLine().getOut(), err, timings -> {
            try {
                return compact.writeValueAsString(
                        jsonTree(List.of(timings), Double.NaN, Double.NaN, Double.NaN, engineThreads));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
            }
        });
        TrainingBenchmark benchmark = new TrainingBenchmark(
                line -> {
                    err.println(line);
                    err.flush();
                },
                pacing);
        for (Architecture architecture : workload.architectures()) {
            benchmark.measure(architecture, workload.fp32(), workload.compared(), workload.images(), settings);
        }
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
            List<String> activations = activationSpecs == null
                    ? List.of(schemes.ownActivations(weights))
                    : activationSpecs.stream()
                            .map(schemes::canonicalActivations)
                            .toList();
            for (String activation : activations) {
                RunConfig config = new RunConfig(
                        "bench",
                        "fashion-mnist",
                        "bench",
                        weights,
                        RunConfig.FP32_LAYER_POLICY,
                        activation,
                        recipe,
                        0,
                        0.1,
                        1);
                RunSchemes run = schemes.forRun(config);
                String label = RunConfig.NO_ACTIVATIONS.equals(activation) ? weights : weights + " + " + activation;
                compared.add(new TrainingBenchmark.Compared(label, run.weights().quantizer(), run.layerSchemes()));
            }
        }
        return compared;
    }

    private String table(
            List<ArchitectureTimings> results, double gemm, double gemmAfter, double rate, int engineThreads) {
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "Training speed, batch %d, %d engine threads (%s), OpenMP wait %s, %d cores," + " load average %s%n",
                batchSize,
                engineThreads,
                engine.source(),
                EngineSettings.waitPolicy(),
                Runtime.getRuntime().availableProcessors(),
                loadAverage()));
        text.append(String.format(
                Locale.ROOT,
                "GEMM rate (2048x2048 float32, median of 7): %.1f GFLOP/s before, %.1f after;"
                        + " the FLOP bound uses the faster, %.1f%n",
                gemm / 1e9,
                gemmAfter / 1e9,
                rate / 1e9));
        text.append(String.format(
                Locale.ROOT,
                "Step: median of %d windows of %d steps (min-max); QAT/fp32: median of the"
                        + " per-window ratios (min-max)%n",
                repeats,
                steps));
        // Wide enough for the longest name, e.g. "bitnet-b1.58@absmean/tensor + int8@absmax/token".
        int width = Math.max(
                20,
                results.stream()
                        .flatMap(a -> a.models().stream())
                        .mapToInt(m -> m.quantizer().length())
                        .max()
                        .orElse(0));
        text.append(String.format(
                Locale.ROOT,
                "%-10s %-" + width + "s %24s %8s %20s %8s %8s %12s %7s%n",
                "arch",
                "quantizer",
                "step ms",
                "steps/s",
                "QAT/fp32",
                "epoch s",
                "bound s",
                "epoch/bound",
                "data %"));
        for (ArchitectureTimings a : results) {
            double bound = a.epochFlops() / rate;
            for (ModelTimings m : a.models()) {
                double step = TrainingBenchmark.median(m.stepSeconds());
                double epoch = TrainingBenchmark.median(m.epochSeconds());
                double dataShare =
                        m.epochSeconds().isEmpty() ? Double.NaN : TrainingBenchmark.median(m.dataSeconds()) / epoch;
                text.append(String.format(
                        Locale.ROOT,
                        "%-10s %-" + width + "s %8.2f (%6.1f-%6.1f) %8.1f %6.3f (%5.2f-%5.2f) %8s %8.2f %12s %7s%n",
                        a.architecture(),
                        m.quantizer(),
                        step * 1e3,
                        Collections.min(m.stepSeconds()) * 1e3,
                        Collections.max(m.stepSeconds()) * 1e3,
                        1 / step,
                        TrainingBenchmark.median(m.ratios()),
                        Collections.min(m.ratios()),
                        Collections.max(m.ratios()),
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", epoch),
                        bound,
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.2f", epoch / bound),
                        m.epochSeconds().isEmpty() ? "-" : String.format(Locale.ROOT, "%.1f", 100 * dataShare)));
            }
            text.append(String.format(
                    Locale.ROOT,
                    "  %s: %,d parameters, %.2f MFLOP forward per image, %d training +"
                            + " %d validation images, %d steps per epoch, %.1f GFLOP per epoch (3x forward per training image,"
                            + " 1x per validation image)%n",
                    a.architecture(),
                    a.parameters(),
                    a.forwardFlopsPerImage() / 1e6,
                    a.trainImages(),
                    a.validationImages(),
                    a.batchesPerEpoch(),
                    a.epochFlops() / 1e9));
        }
        return text.toString();
    }

    private String json(
            List<ArchitectureTimings> results, double gemm, double gemmAfter, double rate, int engineThreads) {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        try {
            return mapper.writeValueAsString(jsonTree(results, gemm, gemmAfter, rate, engineThreads))
                    + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
        }
    }

    private ObjectNode jsonTree(
            List<ArchitectureTimings> results, double gemm, double gemmAfter, double rate, int engineThreads) {
        ObjectNode root = new ObjectMapper().createObjectNode();
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
        root.put(
                "flopsFormula",
                "forward per image: linear 2*in*out*rows, conv 2*(Cin/g)*k^2*Cout*Hout*Wout, attention"
                        + " 4*T^2*d; epoch = " + ModelFlops.TRAINING_FACTOR
                        + " x forward x training images + forward x validation images");
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
        return root;
    }

    /** The load averages of /proc/loadavg (or the JVM's one-minute one). */
    static String loadAverage() {
        try {
            String[] parts = java.nio.file.Files.readString(Path.of("/proc/loadavg"))
                    .trim()
                    .split("\\s+");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (java.io.IOException | RuntimeException e) {
            double load = java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage();
            return String.format(Locale.ROOT, "%.2f", load);
        }
    }
}
