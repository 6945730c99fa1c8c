package dev.lowbit.inference;

import dev.lowbit.format.lbw.PackedModel;

/**
 * A model of a {@code .lbw} file, ready to run in pure Java: its quantized weights stay packed (one byte holds
 * as many codes as fit, radix k, as in the file) and the kernels compute on the codes, without an fp32 copy
 * of the weights and without DJL. Built by {@link #load}; {@link #logits} is safe from several threads (each
 * call allocates its own scratch).
 */
public final class PackedNetwork {

    private final NetworkSpec spec;

    private PackedNetwork(NetworkSpec spec) {
        this.spec = spec;
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
        throw new UnsupportedOperationException("not yet");
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
        throw new UnsupportedOperationException("not yet");
    }

    /**
     * The bytes of the weights as the network holds them (packed codes, scales, fp32 biases and norms),
     * counted from its arrays; {@code lowbit bench inference} measures the heap besides.
     */
    public long weightBytes() {
        throw new UnsupportedOperationException("not yet");
    }

    /** One line per layer: its kind, shape and the kernel it runs. */
    public String describe() {
        throw new UnsupportedOperationException("not yet");
    }

    /** Whether the kernels run on the Vector API (the JVM was started with {@code --add-modules jdk.incubator.vector}). */
    public static boolean vectorised() {
        throw new UnsupportedOperationException("not yet");
    }
}
