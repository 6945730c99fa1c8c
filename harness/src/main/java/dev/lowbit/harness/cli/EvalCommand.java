package dev.lowbit.harness.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.data.FashionMnist;
import dev.lowbit.harness.data.LabeledImages;
import dev.lowbit.harness.export.PackedEngines;
import dev.lowbit.harness.export.PackedModels;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.train.Batches;
import dev.lowbit.harness.train.EngineDevice;
import dev.lowbit.harness.train.Evaluation;
import dev.lowbit.inference.PackedNetwork;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lowbit eval model.lbw}: evaluates a packed model on the test set, reloaded into DJL (fp32 weights
 * decoded from the codes) or run by the packed engine straight from its codes ({@code --engine packed}).
 */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = "Reload a packed .lbw model and evaluate it on the dataset's test images.")
public final class EvalCommand implements Callable<Integer> {

    static final String PACKED = "packed";
    static final String DJL = "djl";
    private static final List<String> ENGINES = List.of(PACKED, DJL);

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
            description = "Folder holding the dataset (IDX files for Fashion-MNIST, the binary version of CIFAR-10).")
    Path data;

    @Option(
            names = "--predictions",
            paramLabel = "FILE",
            description = "Also write the predicted class of every test image, one per line.")
    Path predictions;

    @Option(
            names = "--engine",
            defaultValue = DJL,
            paramLabel = "packed|djl",
            description = "djl (the default) decodes the weights to fp32 and runs DJL's PyTorch; packed runs the"
                    + " weights as their packed codes in pure Java (fcnn, cnn and vit models; activations only"
                    + " intN@absmax/token).")
    String engine;

    @Mixin
    PluginOptions pluginOptions;

    @Mixin
    DeviceOption deviceOption;

    private final PluginHost pluginHost;

    @Inject
    EvalCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    @Override
    public Integer call() {
        BadInputException.requireOneOf("--engine", engine, ENGINES);
        boolean packed = engine.equals(PACKED);
        if (packed && EngineDevice.named(deviceOption.device) != EngineDevice.CPU) {
            throw new BadInputException("--device " + deviceOption.device + " is DJL's; the packed engine runs on the"
                    + " CPU. Drop --device or use --engine djl.");
        }
        // The packed engine starts no DJL engine at all.
        Device device = packed ? null : deviceOption.open();
        if (predictions != null) {
            OutputPaths.requireWritableFile("--predictions", predictions, "predictions.txt");
        }
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        ArchitectureRegistry architectures = plugins.architectures();
        PackedModels models = new PackedModels(Schemes.of(plugins), architectures);
        PackedModels.Opened opened = models.open(file);
        PackedEngines.Graph network = packed ? PackedEngines.graph(opened, PackedEngines.EVAL_WITH_DJL) : null;
        String dataset = opened.metadata("dataset");
        LabeledImages images =
                Datasets.load(dataset == null ? FashionMnist.NAME : dataset, data, System.getenv("LOWBIT_DATA"));
        // Before the model is built: its header's input shape and classes must be the data's.
        PackedModels.requireFits(opened, images);
        Batches test = Batches.withNormalisation(
                images.test(),
                opened.model().normalisationMean(),
                opened.model().normalisationStd());
        int[] all = IntStream.range(0, images.test().size()).toArray();
        Evaluation result;
        if (packed) {
            PackedNetwork model = PackedEngines.load(file, opened.packed(), network, PackedEngines.EVAL_WITH_DJL);
            result = Evaluation.of(model::logits, network.classes(), test, all);
        } else {
            try (NDManager manager = NDManager.newBaseManager(device)) {
                Block block = models.rebuild(opened, manager);
                ParameterStore parameters = new ParameterStore(manager, false);
                result = Evaluation.of(
                        x -> block.forward(parameters, new NDList(x), false).singletonOrThrow(), test, all, manager);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        out.printf(
                Locale.ROOT,
                "%s: %s with %s, %,d bytes (%.4f packed bits per quantized weight)%n",
                file,
                opened.architecture().id(),
                opened.quantizer().spec(),
                opened.bytes().fileBytes(),
                opened.bytes().packedBitsPerQuantizedWeight());
        out.println("Engine: "
                + (packed ? PackedEngines.engineName() : "djl (PyTorch, fp32 weights decoded from the codes)"));
        out.printf(
                Locale.ROOT,
                "Test accuracy %.4f, loss %.4f on %,d images%n",
                result.accuracy(),
                result.loss(),
                all.length);
        if (predictions != null) {
            try {
                ResultStore.writePredictions(predictions, result.predictions());
            } catch (UncheckedIOException e) {
                // Checked up front, so only what changed since (a full disk) gets here.
                throw new BadInputException(
                        e.getMessage() + ": " + e.getCause().getMessage()
                                + ". Free space or give --predictions another file.",
                        e);
            }
            out.println("Predictions: " + predictions.toAbsolutePath());
        }
        return 0;
    }
}
