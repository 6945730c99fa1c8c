package dev.lowbit.harness.export;

import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.architectures.CnnArchitecture;
import dev.lowbit.architectures.FcnnArchitecture;
import dev.lowbit.architectures.VitArchitecture;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.LbwFormatException;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.inference.IntegerInputs;
import dev.lowbit.inference.NetworkSpec;
import dev.lowbit.inference.PackedNetwork;
import dev.lowbit.quantizers.IntActivationQuantizer;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The packed engine ({@link PackedNetwork}) for an opened {@code .lbw} file: which graph its architecture is
 * (the engine runs lowbit's built-in families only; a plugin's architecture is DJL's to run) and the network
 * itself. Each refusal is one line naming the architecture or the file, and where to go instead.
 */
public final class PackedEngines {

    /**
     * What the engine builds for a file: the family's graph and each weight layer's input quantizer (null for fp32
     * inputs; empty when no layer quantizes its inputs).
     *
     * @param spec the graph
     * @param inputs one entry per weight layer, in the file's order, or none
     */
    public record Graph(NetworkSpec spec, List<IntegerInputs> inputs) {

        /** Copies the inputs (null entries allowed). */
        public Graph {
            inputs = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(inputs));
        }

        /** The classes the network scores. */
        public int classes() {
            return spec.classes();
        }
    }

    /** What {@code lowbit eval} says to do with a model the packed engine does not run. */
    public static final String EVAL_WITH_DJL = "evaluate it with --engine djl";

    private PackedEngines() {}

    /**
     * The graph the packed engine builds for {@code opened}: its architecture's family (fcnn, cnn or vit, known
     * by class), the header's input shape and classes, a vit's attention heads, and each layer's input quantizer.
     *
     * @param instead what to do with a model the engine cannot run, the end of the refusal, e.g.
     *     {@link #EVAL_WITH_DJL}
     * @throws BadInputException for another architecture (a plugin's) or a model with activation quantizers the
     *     engine does not compute
     */
    public static Graph graph(PackedModels.Opened opened, String instead) {
        Architecture architecture = opened.architecture();
        NetworkSpec.Family family;
        int heads = 0;
        if (architecture instanceof FcnnArchitecture) {
            family = NetworkSpec.Family.FCNN;
        } else if (architecture instanceof CnnArchitecture) {
            family = NetworkSpec.Family.CNN;
        } else if (architecture instanceof VitArchitecture vit) {
            family = NetworkSpec.Family.VIT;
            heads = vit.heads();
        } else {
            throw new BadInputException("Architecture '" + architecture.id() + "' is not one the packed engine knows"
                    + " (it runs the fcnn, cnn and vit families); " + instead + ".");
        }
        return new Graph(
                new NetworkSpec(
                        family, opened.model().inputDimensions(), opened.model().classes(), heads),
                inputs(opened, instead));
    }

    /**
     * Each quantized layer's input quantizer as the engine computes it: {@code intN@absmax/token} (lowbit's
     * {@link IntActivationQuantizer} per token); none when no layer quantizes its inputs.
     *
     * @throws BadInputException for any other activation quantizer, naming it and the layer
     */
    private static List<IntegerInputs> inputs(PackedModels.Opened opened, String instead) {
        List<IntegerInputs> inputs = new java.util.ArrayList<>();
        boolean any = false;
        for (LayerScheme layer : opened.layers()) {
            ActivationQuantizer activations = layer.activations();
            if (activations == null) {
                inputs.add(null);
                continue;
            }
            any = true;
            // Per tensor, the scale depends on which images share a batch, so no engine can match another's batches.
            if (!(activations instanceof IntActivationQuantizer integers) || !integers.perToken()) {
                throw new BadInputException(oneLine("Packed model '" + opened.file() + "' quantizes its layers' inputs"
                        + " with '" + activations.spec() + "', which the packed engine does not run (it runs"
                        + " intN@absmax/token, e.g. int8); " + instead + "."));
            }
            inputs.add(new IntegerInputs((int) integers.bits()));
        }
        return any ? inputs : List.of();
    }

    /**
     * The packed network of {@code packed}, a model read from {@code file} (by {@link PackedModels#open} or
     * {@link #read}).
     *
     * @throws BadInputException when the engine refuses the file's tensors (a missing, misnamed or misshapen
     *     one, or a layout it does not compute on)
     */
    public static PackedNetwork load(Path file, PackedModel packed, Graph graph, String instead) {
        try {
            return PackedNetwork.load(packed, graph.spec(), graph.inputs());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(
                    oneLine("Packed model '" + file + "' cannot run on the packed engine: " + e.getMessage() + "; "
                            + instead + "."),
                    e);
        }
    }

    /**
     * Reads {@code file} again, without the checks of {@link PackedModels#open} (run them first): for a load
     * whose memory is measured, so that nothing but what the network keeps of it stays reachable.
     */
    public static PackedModel read(Path file) {
        try {
            return LbwFile.read(file).model();
        } catch (LbwFormatException | UncheckedIOException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }

    /**
     * The engine as {@code lowbit eval} and {@code lowbit bench inference} name it: {@code packed (Vector API,
     * 256-bit)}, or {@code packed (scalar ...)} in a JVM started without the Vector API.
     */
    public static String engineName() {
        return "packed (" + PackedNetwork.vectorUnit() + ")";
    }

    /** Names read from a file may hold line breaks; a message stays on one line. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s+", " ");
    }
}
