package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowbit.api.spi.Quantizer;

/**
 * A 2-D convolution over {@code (batch, channels, height, width)} whose kernel is kept in fp32 and
 * quantized in every forward pass through the straight-through estimator (one scale per tensor, or
 * per output filter with {@code /channel}), or as the {@link LayerScheme} it is {@linkplain #configure
 * configured} with says, its input then going through the scheme's activation quantizer first. The
 * bias stays fp32.
 *
 * <p>What an architecture builds its convolutions from: every kernel built from it is quantized, and lowbit
 * finds it as a {@link QuantizedBlock}. Its kernel has the shape {@code (filters, channels, kernel, kernel)},
 * the channels taken from the input when the model initialises. A DJL block: used from one thread at a time.
 */
public final class QuantizedConv2d extends QuantizedLayer {

    private final int filters;
    private final int kernel;
    private final int stride;
    private final int padding;

    /**
     * A convolution with a square kernel whose weights go through {@code quantizer}.
     *
     * @param filters output channels
     * @param kernel square kernel size
     * @param stride stride in both directions
     * @param padding zero padding on every side
     * @param quantizer the quantizer of the kernel
     * @throws IllegalArgumentException when {@code filters}, {@code kernel} or {@code stride} is below 1, or
     *     {@code padding} below 0
     * @throws NullPointerException when {@code quantizer} is null
     */
    public QuantizedConv2d(int filters, int kernel, int stride, int padding, Quantizer quantizer) {
        super(quantizer, 4);
        if (filters < 1 || kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException("filters, kernel and stride must be >= 1 and padding >= 0, got "
                    + filters + ", " + kernel + ", " + stride + ", " + padding);
        }
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /**
     * A convolution that keeps the spatial size ({@code padding = kernel / 2}, stride 1).
     *
     * @param filters output channels
     * @param kernel square kernel size, odd for the size to be kept exactly
     * @param quantizer the quantizer of the kernel
     * @return the convolution
     * @throws IllegalArgumentException when {@code filters} or {@code kernel} is below 1
     */
    public static QuantizedConv2d same(int filters, int kernel, Quantizer quantizer) {
        return new QuantizedConv2d(filters, kernel, 1, kernel / 2, quantizer);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = weight.quantizeInput(parameterStore, inputs.singletonOrThrow(), training);
        NDArray b = parameterStore.getValue(bias, input.getDevice(), training);
        return Conv2d.conv2d(
                input,
                weight.forward(parameterStore, input.getManager(), training),
                b,
                new Shape(stride, stride),
                new Shape(padding, padding),
                new Shape(1, 1),
                1);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape input = inputs[0];
        return new Shape[] {new Shape(input.get(0), filters, outputSize(input.get(2)), outputSize(input.get(3)))};
    }

    private long outputSize(long inputSize) {
        return (inputSize + 2L * padding - kernel) / stride + 1;
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        long channels = inputShapes[0].get(1);
        weight.setShape(new Shape(filters, channels, kernel, kernel));
        bias.setShape(new Shape(filters));
    }

    /**
     * The stride in both directions.
     *
     * @return the stride
     */
    public int stride() {
        return stride;
    }

    /**
     * The zero padding on every side.
     *
     * @return the padding
     */
    public int padding() {
        return padding;
    }

    /** {@code , activations=SPEC} when the input is quantized, else nothing. */
    private String activations() {
        return weight.scheme().activations() == null
                ? ""
                : ", activations="
                        + QuantizerException.safely(
                                weight.scheme().activations()::spec,
                                weight.scheme().activations());
    }

    @Override
    public String toString() {
        return "QuantizedConv2d(filters=" + filters + ", kernel=" + kernel + ", stride=" + stride + ", padding="
                + padding + ", quantizer=" + weight.quantizer().spec() + activations() + ")";
    }
}
