package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowbit.api.spi.Quantizer;

/**
 * A fully connected layer {@code y = x Q(W)^T + b} on the last axis, whose weight W is kept in fp32
 * and quantized in every forward pass through the straight-through estimator (or the estimator, trained
 * values and input quantizer of the {@link LayerScheme} it is {@linkplain #configure configured} with:
 * {@code y = Qa(x) Q(W)^T + b}). The bias stays fp32.
 *
 * <p>What an architecture builds its fully connected layers (and a transformer's projections) from: every
 * weight matrix built from it is quantized, and lowbit finds it as a {@link QuantizedBlock}. Its weight has
 * the shape {@code (units, in)}, {@code in} taken from the input's last axis when the model initialises. A
 * DJL block: used from one thread at a time.
 */
public final class QuantizedLinear extends QuantizedLayer {

    private final long units;

    /**
     * A layer of {@code units} outputs whose weight goes through {@code quantizer}.
     *
     * @param units the number of output features
     * @param quantizer the quantizer of the weight matrix; usually the run's, or a {@link
     *     dev.lowbit.api.spi.LayerPolicy}'s choice for the first and last layers
     * @throws IllegalArgumentException when {@code units} is below 1
     * @throws NullPointerException when {@code quantizer} is null
     */
    public QuantizedLinear(long units, Quantizer quantizer) {
        super(quantizer, 2);
        if (units < 1) {
            throw new IllegalArgumentException("units must be >= 1, got " + units);
        }
        this.units = units;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray input = weight.quantizeInput(parameterStore, inputs.singletonOrThrow(), training);
        NDArray b = parameterStore.getValue(bias, input.getDevice(), training);
        return Linear.linear(input, weight.forward(parameterStore, input.getManager(), training), b);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape input = inputs[0];
        return new Shape[] {input.slice(0, input.dimension() - 1).add(units)};
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape input = inputShapes[0];
        weight.setShape(new Shape(units, input.get(input.dimension() - 1)));
        bias.setShape(new Shape(units));
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
        return "QuantizedLinear(units=" + units + ", quantizer="
                + weight.quantizer().spec() + activations() + ")";
    }
}
