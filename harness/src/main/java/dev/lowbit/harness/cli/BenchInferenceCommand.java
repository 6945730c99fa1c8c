package dev.lowbit.harness.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.bench.InferenceBenchmark;
import dev.lowbit.harness.bench.ResidentMemory;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.FashionMnist;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.export.PackedEngines;
import dev.lowbit.harness.export.PackedModels;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.train.Batches;
import dev.lowbit.harness.train.EngineDevice;
import dev.lowbit.harness.train.EngineSettings;
import dev.lowbit.harness.train.EngineThreads;
import dev.lowbit.harness.train.Evaluation;
import dev.lowbit.inference.PackedNetwork;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lowbit bench inference MODEL.lbw}: the packed engine against DJL with the model's fp32 weights (decoded
 * from the codes, as {@code lowbit eval --engine djl} runs it), in one process and in turns: batch-1 latency,
 * throughput at a batch of 64, and the resident bytes of each one's weights, measured (docs/PERFORMANCE.md,
 * "Inference from the packed weights").
 */
@Command(
        name = "inference",
        mixinStandardHelpOptions = true,
        description = {
            "Time the packed engine against DJL fp32 on one model, in one process.",
            "Both run the model's dataset's test images (the packed engine on its codes, DJL on the fp32 weights"
                    + " decoded from them), float images in and float logits out: after --warm-up untimed images each,"
                    + " --repeats rounds in turns, each timing --images images one at a time and --batches batches"
                    + " of --batch-size on the packed engine, then on DJL. Prints the batch-1 median and p99 latency,"
                    + " the throughput, and the resident bytes of each engine's weights: the heap the packed network"
                    + " adds when loaded from the file, the resident set the fp32 model adds to the process."
        })
public final class BenchInferenceCommand implements Callable<Integer> {

    /** Images held for the timing, batch-1 or batched (100,000 Fashion-MNIST images are 314 MB of floats). */
    private static final int MAX_IMAGES = 100_000;

    private static final int MAX_BATCH = 10_000;

    private static final String INSTEAD =
            "'lowbit bench inference' times the packed engine against DJL, so it needs a model both run";

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            paramLabel = "MODEL.lbw",
            description = "A file written by 'lowbit export' or 'lowbit run'.")
    Path file;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Folder holding the model's dataset (as for lowbit eval).")
    Path data;

    @Option(
            names = "--images",
            defaultValue = "200",
            paramLabel = "N",
            description = "Test images timed one at a time per engine in each round (default: ${DEFAULT-VALUE}).")
    int images;

    @Option(
            names = "--batches",
            defaultValue = "5",
            paramLabel = "N",
            description = "Batches timed per engine in each round, for the throughput (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(
            names = "--batch-size",
            defaultValue = "64",
            paramLabel = "N",
            description = "Images per batch of the throughput (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            paramLabel = "R",
            description = "Rounds, each engine in turn (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--warm-up",
            defaultValue = "100",
            paramLabel = "N",
            description = "Untimed batch-1 images per engine first, and two batches (default: ${DEFAULT-VALUE}).")
    int warmUp;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "DJL's engine threads (default: as for lowbit run, what this process may use).")
    Integer threads;

    @Option(
            names = "--format",
            defaultValue = OutputFormat.TABLE,
            paramLabel = "FORMAT",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Mixin
    PluginOptions pluginOptions;

    private final PluginHost pluginHost;

    @Inject
    BenchInferenceCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    /** What was measured, for the table and the document. */
    private record Measured(
            PackedModels.Opened opened,
            String dataset,
            String packedEngine,
            String djlEngine,
            EngineThreads threads,
            long packedWeightBytes,
            long packedResidentBytes,
            long djlResidentBytes,
            long fp32ParameterBytes,
            InferenceBenchmark.Result timings) {

        double residentOverFile() {
            return (double) packedResidentBytes / opened.bytes().fileBytes();
        }

        double djlOverPacked() {
            return (double) djlResidentBytes / packedResidentBytes;
        }
    }

    @Override
    public Integer call() {
        if (images < 1 || batches < 1 || batchSize < 1 || repeats < 1 || warmUp < 0) {
            throw new BadInputException("--images, --batches, --batch-size and --repeats must be at least 1 and"
                    + " --warm-up at least 0, got " + images + ", " + batches + ", " + batchSize + ", " + repeats
                    + " and " + warmUp + ".");
        }
        // The images are held in memory before timing: bounds that keep them to a few hundred MB at most.
        if (images > MAX_IMAGES || batchSize > MAX_BATCH || (long) batches * batchSize > MAX_IMAGES || repeats > 1000) {
            throw new BadInputException("--images and --batches x --batch-size can be at most " + MAX_IMAGES
                    + ", --batch-size " + MAX_BATCH + " and --repeats 1000, got " + images + ", " + batches + " x "
                    + batchSize + " and " + repeats + "; time fewer images in more rounds.");
        }
        BadInputException.requireOneOf("--format", format, OutputFormat.TABLE_OR_JSON);
        EngineThreads engineThreads = EngineSettings.apply(threads);
        Device device = EngineDevice.CPU.open();
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        PackedModels models = new PackedModels(Schemes.of(plugins), plugins.architectures());
        PackedModels.Opened opened = models.open(file);
        PackedEngines.Graph network = PackedEngines.graph(opened, INSTEAD);
        String dataset = opened.metadata("dataset");
        LabeledImages data =
                Datasets.load(dataset == null ? FashionMnist.NAME : dataset, this.data, System.getenv("LOWBIT_DATA"));
        PackedModels.requireFits(opened, data);
        // The inputs first, so that both engines' "before" readings hold them.
        Batches test = Batches.withNormalisation(
                data.test(), opened.model().normalisationMean(), opened.model().normalisationStd());
        int testImages = data.test().size();
        float[][] singles = new float[images][];
        for (int i = 0; i < images; i++) {
            singles[i] = test.values(new int[] {i % testImages}, 0, 1);
        }
        float[][] batched = new float[batches][];
        for (int b = 0; b < batches; b++) {
            int first = b * batchSize;
            int[] order = IntStream.range(0, batchSize)
                    .map(i -> (first + i) % testImages)
                    .toArray();
            batched[b] = test.values(order, 0, batchSize);
        }
        PrintWriter err = spec.commandLine().getErr();

        // The packed engine: once to load its classes and check the file, then measured from a fresh read.
        PackedEngines.load(file, opened.packed(), network, INSTEAD);
        // A first reading sets up the memory bean, whose garbage would inflate the "before" reading (by ~16 KB).
        ResidentMemory.heapUsedAfterCollections();
        long heapBefore = ResidentMemory.heapUsedAfterCollections();
        PackedNetwork packed = loadFromFile(network);
        long packedResident = ResidentMemory.heapUsedAfterCollections() - heapBefore;

        try (NDManager manager = NDManager.newBaseManager(device)) {
            // The engine's libraries load on its first op: before the first reading, so they are not counted.
            startEngine(manager);
            long rssBefore = ResidentMemory.anonymousResidentBytes();
            Block block = models.rebuild(opened, manager);
            long rssAfter = ResidentMemory.anonymousResidentBytes();
            long fp32Bytes = block.getParameters().values().stream()
                    .mapToLong(parameter -> parameter.getArray().size() * Float.BYTES)
                    .sum();
            ParameterStore parameters = new ParameterStore(manager, false);
            Shape image = new Shape(opened.model().inputDimensions());
            Evaluation.JavaModel djl = (floats, batch) -> {
                try (NDManager scope = manager.newSubManager()) {
                    NDArray input = scope.create(floats, new Shape(batch).addAll(image));
                    return block.forward(parameters, new NDList(input), false)
                            .singletonOrThrow()
                            .toFloatArray();
                }
            };
            err.println("Timing " + file + ": " + repeats + " rounds, packed engine then DJL ...");
            err.flush();
            InferenceBenchmark.Result timings = new InferenceBenchmark(
                            new InferenceBenchmark.Settings(warmUp, repeats, batchSize), network.classes())
                    .measure(packed::logits, djl, singles, batched);
            Engine engine = Engine.getInstance();
            Measured measured = new Measured(
                    opened,
                    data.name(),
                    PackedEngines.engineName(),
                    "djl fp32 (" + engine.getEngineName() + " " + engine.getVersion() + ")",
                    engineThreads,
                    packed.weightBytes(),
                    packedResident,
                    rssBefore < 0 ? -1 : rssAfter - rssBefore,
                    fp32Bytes,
                    timings);
            PrintWriter out = spec.commandLine().getOut();
            out.print(format.equals(OutputFormat.JSON) ? json(measured) : table(measured));
            out.flush();
        }
        return 0;
    }

    /** The network of a fresh read of the file, its reader's copies left to the collector. */
    private PackedNetwork loadFromFile(PackedEngines.Graph network) {
        PackedModel fresh = PackedEngines.read(file);
        return PackedEngines.load(file, fresh, network, INSTEAD);
    }

    /**
     * Ops large enough to start the engine's thread pool, so that its native libraries are loaded and its threads
     * started before a reading. Their arrays stay in {@code manager} (freed, their memory would stay in the
     * process and the model's weights could reuse it unseen).
     */
    private static void startEngine(NDManager manager) {
        NDArray a = manager.ones(new Shape(512, 512));
        a.matMul(a).add(1).toFloatArray();
    }

    private String table(Measured m) {
        InferenceBenchmark.Result t = m.timings();
        InferenceBenchmark.Timings packed = t.first();
        InferenceBenchmark.Timings djl = t.second();
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "Inference: %s (%s, %s), %s test images, %d cores, load average %s%n",
                m.opened().file(),
                m.opened().architecture().id(),
                m.opened().quantizer().spec(),
                m.dataset(),
                Runtime.getRuntime().availableProcessors(),
                BenchTrainingCommand.loadAverage()));
        text.append(String.format(
                Locale.ROOT,
                "Engines: %s; %s, %d engine threads (%s)%n",
                m.packedEngine(),
                m.djlEngine(),
                m.threads().count(),
                m.threads().source()));
        text.append(String.format(
                Locale.ROOT,
                "Batch 1: %d rounds of %d images per engine, in turns, after %d untimed; batch %d: median over the"
                        + " rounds of %d batches each%n",
                repeats,
                images,
                warmUp,
                batchSize,
                batches));
        text.append(String.format(Locale.ROOT, "%-26s %14s %14s %11s%n", "", "packed", "djl fp32", "packed/djl"));
        row(text, "batch 1 median ms", packed.medianLatency() * 1e3, djl.medianLatency() * 1e3, "%14.3f");
        row(text, "batch 1 p99 ms", packed.p99Latency() * 1e3, djl.p99Latency() * 1e3, "%14.3f");
        row(
                text,
                "batch " + batchSize + " images/s",
                packed.medianImagesPerSecond(),
                djl.medianImagesPerSecond(),
                "%14.1f");
        text.append(String.format(
                Locale.ROOT,
                "%-26s %14s %14s %11s%n",
                "resident weight bytes",
                String.format(Locale.ROOT, "%,d", m.packedResidentBytes()),
                m.djlResidentBytes() < 0 ? "n/a" : String.format(Locale.ROOT, "%,d", m.djlResidentBytes()),
                m.djlResidentBytes() <= 0 ? "-" : String.format(Locale.ROOT, "%.3f", 1 / m.djlOverPacked())));
        text.append(String.format(
                Locale.ROOT, "Same prediction on %d of %d batch-1 images%n", t.sameArgmax(), t.compared()));
        text.append(String.format(
                Locale.ROOT,
                "File %,d bytes; packed network's weights %,d bytes (counted: weightBytes()); fp32 parameters %,d"
                        + " bytes (counted)%n",
                m.opened().bytes().fileBytes(),
                m.packedWeightBytes(),
                m.fp32ParameterBytes()));
        text.append(String.format(
                Locale.ROOT,
                "Resident/file %.3f (packed); djl/packed %s%n",
                m.residentOverFile(),
                m.djlResidentBytes() <= 0 ? "n/a" : String.format(Locale.ROOT, "%.2f", m.djlOverPacked())));
        text.append("Resident bytes measured: packed, ")
                .append(ResidentMemory.HEAP_METHOD)
                .append(" loading the network from the file; djl, ")
                .append(ResidentMemory.RSS_METHOD)
                .append(" rebuilding the fp32 model, the engine started first")
                .append(System.lineSeparator());
        return text.toString();
    }

    private static void row(StringBuilder text, String label, double packed, double djl, String number) {
        text.append(String.format(
                Locale.ROOT, "%-26s " + number + " " + number + " %11.3f%n", label, packed, djl, packed / djl));
    }

    private String json(Measured m) {
        InferenceBenchmark.Result t = m.timings();
        ObjectNode root = new ObjectMapper().createObjectNode();
        root.put("benchmark", "inference");
        root.put("model", m.opened().file().toString());
        root.put("architecture", m.opened().architecture().id());
        root.put("quantizer", m.opened().quantizer().spec());
        root.put("dataset", m.dataset());
        root.put("packedEngine", m.packedEngine());
        root.put("djlEngine", m.djlEngine());
        root.put("threads", m.threads().count());
        root.put("threadsSource", m.threads().source());
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("loadAverage", BenchTrainingCommand.loadAverage());
        root.put("images", images);
        root.put("batches", batches);
        root.put("batchSize", batchSize);
        root.put("repeats", repeats);
        root.put("warmUpImages", warmUp);
        timings(root.putObject("packed"), t.first());
        timings(root.putObject("djl"), t.second());
        ObjectNode ratios = root.putObject("packedOverDjl");
        ratios.put("medianLatency", t.first().medianLatency() / t.second().medianLatency());
        ratios.put("p99Latency", t.first().p99Latency() / t.second().p99Latency());
        ratios.put(
                "imagesPerSecond",
                t.first().medianImagesPerSecond() / t.second().medianImagesPerSecond());
        root.put("sameArgmax", t.sameArgmax());
        root.put("comparedImages", t.compared());
        ObjectNode memory = root.putObject("memory");
        memory.put("fileBytes", m.opened().bytes().fileBytes());
        memory.put("packedWeightBytes", m.packedWeightBytes());
        memory.put("packedResidentBytes", m.packedResidentBytes());
        memory.put("packedMethod", ResidentMemory.HEAP_METHOD + " loading the network from the file");
        if (m.djlResidentBytes() >= 0) {
            memory.put("djlResidentBytes", m.djlResidentBytes());
        }
        if (m.djlResidentBytes() > 0) {
            memory.put("djlOverPacked", m.djlOverPacked());
        }
        memory.put("djlMethod", ResidentMemory.RSS_METHOD + " rebuilding the fp32 model, the engine started first");
        memory.put("fp32ParameterBytes", m.fp32ParameterBytes());
        memory.put("residentOverFile", m.residentOverFile());
        try {
            return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(root)
                    + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
        }
    }

    private static void timings(ObjectNode node, InferenceBenchmark.Timings timings) {
        node.put("medianLatencySeconds", timings.medianLatency());
        node.put("p99LatencySeconds", timings.p99Latency());
        node.put("medianImagesPerSecond", timings.medianImagesPerSecond());
        timings.imagesPerSecond().forEach(node.putArray("imagesPerSecondByRound")::add);
    }
}
