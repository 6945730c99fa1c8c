package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.lowbit.api.spi.Quantizer;
import java.util.Optional;

/**
 * The quantized weight of a layer: the fp32 shadow weight, and for a learned-scale quantizer its
 * scale parameter. Layers (linear, conv) own one and register its parameters.
 */
public final class QuantizedWeight {

    private final Quantizer quantizer;
    private final Parameter weight;
    private final Parameter scale;

    /** Creates the parameters; the owning block registers {@link #parameters()} in its constructor. */
    public QuantizedWeight(Quantizer quantizer) {
        this.quantizer = quantizer;
        this.weight = Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT).build();
        // Parameters initialise in the order they were added, so the weight exists when its scale
        // starts at the rule applied to it.
        this.scale = quantizer.learnsScale()
                ? Parameter.builder().setName("scale").setType(Parameter.Type.OTHER)
                        .optInitializer(this::initialScale).build()
                : null;
    }

    /** The parameters to register: the weight, then the learned scale if any. */
    public Parameter[] parameters() {
        return scale == null ? new Parameter[] {weight} : new Parameter[] {weight, scale};
    }

    /** The fp32 shadow weight. */
    public Parameter weight() {
        return weight;
    }

    /** The trained scale, for a learned-scale quantizer. */
    public Optional<Parameter> learnedScale() {
        return Optional.ofNullable(scale);
    }

    /** The quantizer. */
    public Quantizer quantizer() {
        return quantizer;
    }

    /** Sets the shapes: the weight's, and the scale's (one per tensor or one per output channel). */
    public void setShape(Shape weightShape) {
        weight.setShape(weightShape);
        if (scale != null) {
            long count = quantizer.scaleCount(weightShape.getShape());
            long[] scaleShape = new long[weightShape.dimension()];
            java.util.Arrays.fill(scaleShape, 1);
            scaleShape[0] = count;
            scale.setShape(new Shape(scaleShape));
        }
    }

    private NDArray initialScale(NDManager manager, Shape shape, DataType dataType) {
        NDArray initial = quantizer.scale(weight.getArray().stopGradient()).reshape(shape).toType(dataType, false);
        initial.attach(manager);
        return initial;
    }

    /** Q(W) for the forward pass, on the gradient tape, owned by {@code scope}. */
    public NDArray forward(ParameterStore parameterStore, NDManager scope, boolean training) {
        NDArray shadow = parameterStore.getValue(weight, scope.getDevice(), training);
        if (scale == null) {
            return StraightThrough.quantize(shadow, quantizer, scope);
        }
        return StraightThrough.quantize(shadow, parameterStore.getValue(scale, scope.getDevice(), training),
                quantizer, scope);
    }

    /**
     * The scale the forward pass uses for these weights: the trained one, or the quantizer's rule
     * applied to them.
     *
     * @param detachedWeights this layer's weights off the gradient tape, owned by the caller's scope
     *     (anything computed from the parameter itself would land in the parameter's long-lived manager)
     */
    public NDArray scaleOf(NDArray detachedWeights) {
        return scale != null ? scale.getArray() : quantizer.scale(detachedWeights);
    }
}
