package dev.lowbit.inference;

import dev.lowbit.format.lbw.PackedModel;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A model of a {@code .lbw} file, ready to run in pure Java: its quantized weights stay packed (one byte holds
 * as many codes as fit, radix k, as in the file) and the kernels compute on the codes, without an fp32 copy
 * of the weights and without DJL. Built by {@link #load}; {@link #logits} is safe from several threads (each
 * call allocates its own scratch).
 */
public final class PackedNetwork {

    /** Below this many images per thread a batch is not split: a thread's start costs more than it saves. */
    private static final int IMAGES_PER_THREAD = 8;

    private final NetworkSpec spec;
    private final Graph graph;
    private final Lanes lanes = Lanes.get();

    private PackedNetwork(NetworkSpec spec, Graph graph) {
        this.spec = spec;
        this.graph = graph;
    }

    /**
     * Builds the network of {@code spec.family()} from the file's tensors, checking each tensor's name and
     * shape against the graph.
     *
     * @param model a packed model read from a {@code .lbw} file
     * @param spec the family, image shape, classes (and heads) the file's header declares
     * @return the network, holding the weights in their packed form
     * @throws IllegalArgumentException with a one-line message when a tensor is missing, misnamed or of the
     *     wrong shape for the family, or uses a layout the engine does not compute on
     */
    public static PackedNetwork load(PackedModel model, NetworkSpec spec) {
        return load(model, spec, List.of());
    }

    /**
     * {@link #load} of a model whose layers quantize their inputs.
     *
     * @param model a packed model read from a {@code .lbw} file
     * @param spec the family, image shape, classes (and heads) the file's header declares
     * @param inputs each weight layer's input quantizer in the file's order of weights (null for fp32 inputs), as
     *     the model was trained; empty when no layer quantizes its inputs
     * @return the network
     * @throws IllegalArgumentException as {@link #load(PackedModel, NetworkSpec)}, and when {@code inputs} does not
     *     name one entry per weight layer
     */
    public static PackedNetwork load(PackedModel model, NetworkSpec spec, List<IntegerInputs> inputs) {
        TensorCursor tensors = new TensorCursor(
                model, spec.family().name().toLowerCase(java.util.Locale.ROOT), new java.util.ArrayList<>(inputs));
        Graph graph = switch (spec.family()) {
            case FCNN -> new FcnnGraph(tensors, spec);
            case CNN -> new CnnGraph(tensors, spec);
            case VIT -> new VitGraph(tensors, spec);
        };
        return new PackedNetwork(spec, graph);
    }

    /** The spec the network was built for. */
    public NetworkSpec spec() {
        return spec;
    }

    /**
     * The logits of {@code batch} images.
     *
     * @param images {@code batch} images, normalised as in training, each {@code (channels, height, width)}
     *     row-major, one after the other
     * @param batch the number of images
     * @return {@code batch x classes} logits, row-major
     */
    public float[] logits(float[] images, int batch) {
        int imageValues = spec.imageValues();
        if (batch < 1 || images.length != (long) batch * imageValues) {
            throw new IllegalArgumentException(batch + " images of " + imageValues + " values need "
                    + (long) batch * imageValues + " floats, got " + images.length);
        }
        int threads = Math.min(Runtime.getRuntime().availableProcessors(), Math.max(1, batch / IMAGES_PER_THREAD));
        if (threads == 1) {
            return graph.forward(images, 0, batch, lanes);
        }
        // Images are independent: each thread runs a contiguous share of the batch (DJL's engine uses the cores too).
        int share = (batch + threads - 1) / threads;
        float[] logits = new float[batch * spec.classes()];
        IntStream.range(0, threads).parallel().forEach(t -> {
            int first = t * share;
            int count = Math.min(share, batch - first);
            if (count > 0) {
                float[] part = graph.forward(images, first, count, lanes);
                System.arraycopy(part, 0, logits, first * spec.classes(), part.length);
            }
        });
        return logits;
    }

    /**
     * The bytes of the weights as the network holds them (packed codes, scales, fp32 biases and norms),
     * counted from its arrays; {@code lowbit bench inference} measures the heap besides.
     */
    public long weightBytes() {
        return graph.bytes();
    }

    /** One line per layer: its kind, shape and the kernel it runs. */
    public String describe() {
        return String.join(System.lineSeparator(), describe(1));
    }

    /**
     * One line per layer: its kind, shape and the kernel it runs at {@code batch} images.
     *
     * @param batch images per call
     * @return the lines
     */
    public List<String> describe(int batch) {
        return graph.describe(batch);
    }

    /** The kernels' vector unit, e.g. {@code Vector API, 256-bit}, or why they run as plain loops. */
    public static String vectorUnit() {
        return Lanes.get().describe();
    }

    /** Whether the kernels run on the Vector API (the JVM was started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorised() {
        return Lanes.get().width() > 1;
    }
}
