package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;

/**
 * A layer's input quantizer and its trained values (parameters named {@code input_<name>}): what
 * {@link QuantizedWeight#quantizeInput} runs. Training follows docs/SCHEMES.md, "Training":
 * <pre>
 *   s  = scale(x, trained)                                  off the tape
 *   xq = quantize(x, s, ctx) + m * (x - stop_gradient(x)),  m = estimator.derivative(normalized(x, s))
 *   xq = quantizeTrained(x, trained, estimator, ctx)        for a quantizer with trained values
 * </pre>
 * with the activation quantizer's own {@link ActivationQuantizer#estimator()}.
 */
final class InputQuantization {

    /** Prefix of the trained values' parameter names, keeping them apart from the weight's. */
    static final String PREFIX = "input_";

    private final ActivationQuantizer quantizer;
    private final GradientEstimator estimator;
    private final List<TrainedValue> declared;
    private final List<Parameter> parameters;
    /** The layer's name, for messages (read when they are written: it is set after the layer is built). */
    private final Supplier<String> layer;

    InputQuantization(ActivationQuantizer quantizer, GradientEstimator estimator, Supplier<String> layer) {
        this.quantizer = quantizer;
        this.layer = layer;
        this.estimator = estimator;
        this.declared = guarded("trainedValues()", null, () -> List.copyOf(quantizer.trainedValues()));
        List<Parameter> created = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            int index = i;
            Parameter parameter = Parameter.builder()
                    .setName(PREFIX + declared.get(i).name())
                    .setType(Parameter.Type.OTHER)
                    .optInitializer((manager, shape, dataType) -> initialValue(index, manager, shape, dataType))
                    .build();
            parameter.setShape(declared.get(i).shape());
            created.add(parameter);
        }
        this.parameters = List.copyOf(created);
    }

    /** The trained values' parameters, in the quantizer's order. */
    List<Parameter> parameters() {
        return parameters;
    }

    /** Qa(x) on the tape of the input and the trained values, owned by the input's manager (the batch's). */
    NDArray forward(ParameterStore parameterStore, NDArray input, boolean training, QuantizationContext context) {
        NDManager scope = input.getManager();
        Shape shape = input.getShape();
        if (!parameters.isEmpty()) {
            NDList live = new NDList(parameters.size());
            for (Parameter parameter : parameters) {
                live.add(StraightThrough.alias(parameterStore.getValue(parameter, input.getDevice(), training), scope));
            }
            return guarded(
                    "quantizeTrained()",
                    shape,
                    () -> QuantizedWeight.sameShape(quantizer.quantizeTrained(input, live, estimator, context), shape));
        }
        NDArray detached = StraightThrough.detach(input, scope);
        NDArray scale = guarded("scale()", shape, () -> quantizer.scale(detached, new NDList()));
        NDArray quantized = guarded(
                "quantize()",
                shape,
                () -> QuantizedWeight.sameShape(quantizer.quantize(detached, scale, context), shape));
        NDArray derivative = null;
        if (!estimator.isIdentity()) {
            NDArray normalized = guarded("normalized()", shape, () -> quantizer.normalized(detached, scale));
            derivative = QuantizerException.guard(
                    () -> "estimator '" + QuantizerException.safely(estimator::id, estimator)
                            + "' of activation quantizer '" + spec() + "'",
                    this::where,
                    shape,
                    "derivative()",
                    () -> StraightThrough.derivative(estimator, normalized, shape));
        }
        return StraightThrough.withGradient(input, detached, quantized, derivative, scope);
    }

    /** Trained value {@code index} at {@link ActivationQuantizer#initialValues}. */
    private NDArray initialValue(int index, NDManager manager, Shape shape, DataType dataType) {
        try (NDManager scope = manager.newSubManager()) {
            NDList values = guarded("initialValues()", null, () -> quantizer.initialValues(scope));
            if (values.size() != declared.size()
                    || !values.get(index).getShape().equals(shape)) {
                throw new QuantizerException(
                        "activation quantizer '" + spec() + "'",
                        where(),
                        null,
                        "initialValues()",
                        new IllegalStateException("it returned " + values.size() + " arrays of shapes "
                                + Arrays.toString(values.getShapes()) + " for the trained values " + declared));
            }
            // A copy with memory of its own, as for a weight's trained values (QuantizedWeight.initialValue):
            // the scope closing here may free what a returned view looks at.
            NDArray value = values.get(index).toType(dataType, false).duplicate();
            value.attach(manager);
            return value;
        }
    }

    private String spec() {
        return QuantizerException.safely(quantizer::spec, quantizer);
    }

    private String where() {
        return "the input of layer '" + layer.get() + "'";
    }

    private <T> T guarded(String call, Shape shape, Supplier<T> body) {
        return QuantizerException.guard(() -> "activation quantizer '" + spec() + "'", this::where, shape, call, body);
    }
}
