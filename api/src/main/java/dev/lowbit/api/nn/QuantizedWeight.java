package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lowbit.api.spi.Quantizer;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The quantized weight of a layer: the fp32 shadow weight, and for a learned-scale quantizer its
 * scale parameter. Layers (linear, conv) own one and register its parameters.
 */
public final class QuantizedWeight {

    private final Quantizer quantizer;
    private final Parameter weight;
    private final Parameter scale;
    /** How messages name this tensor; the model's parameter path once {@link #nameAs} is called. */
    private String name = "weight";

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

    /**
     * Names this tensor in messages, e.g. {@code 02QuantizedConv2d_weight} (its path in
     * {@link Block#getParameters()}): a failing quantizer is reported with the tensor it failed on.
     */
    public void nameAs(String parameterPath) {
        this.name = parameterPath;
    }

    /**
     * Names every quantized weight of {@code model} by its path in {@link Block#getParameters()}
     * (full-precision ones never call their quantizer, so they need no name).
     */
    public static void nameAll(Block model) {
        Map<Parameter, QuantizedWeight> byParameter = MemoryAccounting.quantizedWeights(model);
        for (Pair<String, Parameter> entry : model.getParameters()) {
            QuantizedWeight weight = byParameter.get(entry.getValue());
            if (weight != null) {
                weight.nameAs(entry.getKey());
            }
        }
    }

    /** The codes of these weights at {@code scale}: {@link Quantizer#codes}, failures named as for {@link #forward}. */
    public NDArray codes(NDArray detachedWeights, NDArray scale) {
        return guarded("codes()", detachedWeights.getShape(), () -> quantizer.codes(detachedWeights, scale));
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
        NDArray detached = weight.getArray().stopGradient();
        NDArray initial = guarded("scale()", detached.getShape(), () -> quantizer.scale(detached))
                .reshape(shape).toType(dataType, false);
        initial.attach(manager);
        return initial;
    }

    /**
     * Q(W) for the forward pass, on the gradient tape, owned by {@code scope}.
     *
     * @throws QuantizerException when the quantizer's code fails, naming it and this tensor
     */
    public NDArray forward(ParameterStore parameterStore, NDManager scope, boolean training) {
        NDArray shadow = parameterStore.getValue(weight, scope.getDevice(), training);
        if (scale == null) {
            return guarded("quantize()", shadow.getShape(), () -> StraightThrough.quantize(shadow, quantizer, scope));
        }
        NDArray learned = parameterStore.getValue(scale, scope.getDevice(), training);
        return guarded("quantize()", shadow.getShape(), () -> StraightThrough.quantize(shadow, learned, quantizer, scope));
    }

    /**
     * The scale the forward pass uses for these weights: the trained one, or the quantizer's rule
     * applied to them.
     *
     * @param detachedWeights this layer's weights off the gradient tape, owned by the caller's scope
     *     (anything computed from the parameter itself would land in the parameter's long-lived manager)
     */
    public NDArray scaleOf(NDArray detachedWeights) {
        return scale != null ? scale.getArray() : guarded("scale()", detachedWeights.getShape(),
                () -> quantizer.scale(detachedWeights));
    }

    /**
     * Runs a call into the quantizer (often a plugin's code), turning whatever it throws into a
     * {@link QuantizerException} that names the quantizer and this tensor. Errors are caught too: a
     * plugin compiled against another api fails with a {@link LinkageError} only when the missing
     * method is first called. The engine's own fatal errors (out of memory) pass unchanged.
     */
    private NDArray guarded(String call, Shape shape, Supplier<NDArray> body) {
        try {
            return body.get();
        } catch (QuantizerException e) {
            throw e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new QuantizerException(quantizer, name, shape, call, e);
        }
    }
}
