package dev.lowbit.format.packing;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Between a trained DJL model and its packed form: quantized weights leave as integer codes plus their
 * scales (and zero points, and group size), everything else as fp32; they come back through the packed
 * form's one generic decode, {@link QuantizedTensor#dequantize()}, which computes in float32 what the
 * forward pass computes, so the reloaded weights are bit-identical to the forward pass's Q(W) without
 * the quantizer that made them.
 *
 * <p>What {@code lowbit run} (after training), {@code lowbit export} and {@code lowbit eval} call; a plugin
 * need not. Static and stateless. Plugin code it runs (a quantizer's {@code scale} and {@code codes}) fails
 * as a {@link QuantizerException} naming the quantizer and the tensor.
 */
public final class ModelPacking {

    private ModelPacking() {}

    /**
     * Packs an initialised model, tensors named as in {@link Block#getParameters()}. A quantized weight
     * whose quantizer is a {@link LearnedQuantizer} with trained values for its shape is stored as
     * {@link LearnedQuantizer#codes(NDArray, NDList) its codes}, {@link LearnedQuantizer#packedScale packed
     * scale} and {@link LearnedQuantizer#packedAlphabet packed alphabet}, its trained values kept as the
     * tensor's extras (and not stored again as tensors of their own); any other as
     * {@link Quantizer#scale} (split into scales and zero points when {@link Quantizer#affine()}) and
     * {@link Quantizer#codes}, with the group size of its {@link Quantizer#granularity()}.
     *
     * @param model the trained model
     * @param metadata what a reader needs to rebuild it (architecture, quantizer spec, input shape, ...)
     * @return the packed model, every parameter once
     * @throws QuantizerException when a quantizer's code fails, naming it and the tensor
     */
    public static PackedModel pack(Block model, Map<String, String> metadata) {
        Map<Parameter, QuantizedWeight> quantized = QuantizedBlocks.weights(model);
        Map<Parameter, List<Parameter>> trainedOf = trainedParameters(model);
        Set<Parameter> storedWithTheirWeight = Collections.newSetFromMap(new IdentityHashMap<>());
        storedWithTheirWeight.addAll(QuantizedBlocks.trainedValues(quantized));
        trainedOf.values().forEach(storedWithTheirWeight::addAll);
        List<PackedTensor> tensors = new ArrayList<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            Parameter parameter = entry.getValue();
            if (storedWithTheirWeight.contains(parameter)) {
                continue; // stored as its weight's scales and extras
            }
            NDArray values = parameter.getArray();
            QuantizedWeight weight = quantized.get(parameter);
            if (weight == null) {
                tensors.add(new Fp32Tensor(entry.getKey(), values.getShape().getShape(), values.toFloatArray()));
                continue;
            }
            tensors.add(packWeight(entry.getKey(), weight, trainedOf.getOrDefault(parameter, List.of())));
        }
        return new PackedModel(metadata, tensors);
    }

    private static QuantizedTensor packWeight(String name, QuantizedWeight weight, List<Parameter> trained) {
        NDArray values = weight.weight().getArray();
        Shape shape = values.getShape();
        Quantizer quantizer = weight.quantizer();
        try (NDManager scope = values.getManager().newSubManager()) {
            NDArray detached = detach(values, scope);
            NDArray scale;
            NDArray codes;
            double[] alphabet;
            List<Fp32Tensor> extras = new ArrayList<>();
            if (trained.isEmpty()) {
                scale = weight.scaleOf(detached);
                codes = weight.codes(detached, scale);
                alphabet = quantizer.alphabet().orElseThrow().values();
            } else {
                LearnedQuantizer learned = (LearnedQuantizer) quantizer;
                List<TrainedValue> names = learned.trainedValues(shape);
                NDList arrays = new NDList();
                for (int i = 0; i < trained.size(); i++) {
                    NDArray array = detach(trained.get(i).getArray(), scope);
                    arrays.add(array);
                    extras.add(
                            new Fp32Tensor(names.get(i).name(), array.getShape().getShape(), array.toFloatArray()));
                }
                codes = guarded(quantizer, name, shape, "codes()", () -> learned.codes(detached, arrays));
                scale = guarded(quantizer, name, shape, "packedScale()", () -> learned.packedScale(detached, arrays));
                alphabet = learned.packedAlphabet(arrays);
            }
            NDArray scales = quantizer.affine() ? scale.get(0) : scale;
            float[] zeroPoints = quantizer.affine() ? scale.get(1).toFloatArray() : null;
            Granularity granularity = quantizer.granularity();
            int groupSize = granularity.isGroup() && shape.dimension() > 1 ? granularity.groupSize() : 0;
            // Per group the scales take the compact (out, groups) shape the file records (LSQ trains them as a column).
            long[] scaleShape = groupSize > 0
                    ? granularity.scaleShape(shape).getShape()
                    : scales.getShape().getShape();
            return new QuantizedTensor(
                    name,
                    shape.getShape(),
                    alphabet,
                    toInts(codes.toFloatArray()),
                    scaleShape,
                    scales.toFloatArray(),
                    groupSize,
                    zeroPoints,
                    extras);
        }
    }

    /**
     * The parameters holding each quantized weight's trained values, in the order of its quantizer's
     * {@link LearnedQuantizer#trainedValues}: its layer's parameters of those names. Empty for a weight
     * whose quantizer trains none.
     */
    private static Map<Parameter, List<Parameter>> trainedParameters(Block model) {
        IdentityHashMap<Parameter, List<Parameter>> trained = new IdentityHashMap<>();
        for (QuantizedBlock block : QuantizedBlocks.in(model)) {
            QuantizedWeight weight = block.quantizedWeight();
            if (!(weight.quantizer() instanceof LearnedQuantizer learned) || learned.isFullPrecision()) {
                continue;
            }
            List<TrainedValue> values =
                    learned.trainedValues(weight.weight().getArray().getShape());
            List<Parameter> parameters = new ArrayList<>();
            for (TrainedValue value : values) {
                Parameter parameter = block.getDirectParameters().get(value.name());
                if (parameter == null) {
                    throw new IllegalStateException("Quantizer '" + learned.spec() + "' trains '" + value.name()
                            + "' but its layer " + block.getClass().getSimpleName() + " has no parameter of that"
                            + " name; it has " + block.getDirectParameters().keys() + ".");
                }
                parameters.add(parameter);
            }
            if (!parameters.isEmpty()) {
                trained.put(weight.weight(), parameters);
            }
        }
        return trained;
    }

    /**
     * Makes every parameter of a model built with the full-precision quantizer (so its forward pass
     * uses weights as they are) start at the packed values: quantized tensors through
     * {@link QuantizedTensor#dequantize()}, the float32 decode training's forward pass computes, fp32
     * tensors as stored. Call before {@code initialize}. (Initialisers rather than writing into
     * initialised arrays: PyTorch warns on in-place writes to parameters.)
     *
     * @param packed the packed model, as read from its file
     * @param fp32Model the same architecture built with the full-precision quantizer, not yet initialised
     * @throws IllegalArgumentException naming the tensor when the file and the model do not match
     */
    public static void initializeFrom(PackedModel packed, Block fp32Model) {
        Set<String> unused = new HashSet<>();
        packed.tensors().forEach(t -> unused.add(t.name()));
        for (Pair<String, Parameter> entry : fp32Model.getParameters()) {
            String name = entry.getKey();
            PackedTensor stored = packed.tensor(name);
            unused.remove(name);
            entry.getValue().setInitializer((manager, shape, dataType) -> {
                if (!Arrays.equals(stored.shape(), shape.getShape())) {
                    throw new IllegalArgumentException("Tensor '" + name + "' has shape " + new Shape(stored.shape())
                            + " in the file but " + shape + " in the model");
                }
                float[] values =
                        stored instanceof QuantizedTensor codes ? codes.dequantize() : ((Fp32Tensor) stored).values();
                return manager.create(values, shape);
            });
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("The file holds tensors the model does not have: " + unused);
        }
    }

    /**
     * {@link #initializeFrom(PackedModel, Block)}: the quantizer is no longer needed to decode.
     *
     * @param packed the packed model, as read from its file
     * @param fp32Model the same architecture built with the full-precision quantizer, not yet initialised
     * @param quantizer ignored
     * @deprecated the packed form decodes without its quantizer; call {@link #initializeFrom(PackedModel, Block)}
     */
    @Deprecated
    public static void initializeFrom(PackedModel packed, Block fp32Model, Quantizer quantizer) {
        initializeFrom(packed, fp32Model);
    }

    /** A copy off the tape, owned by {@code scope}. */
    private static NDArray detach(NDArray array, NDManager scope) {
        NDArray detached = array.stopGradient();
        detached.attach(scope);
        return detached;
    }

    /** A call into a learned quantizer, failures named with the quantizer and the tensor as in training. */
    private static NDArray guarded(
            Quantizer quantizer, String tensor, Shape shape, String call, Supplier<NDArray> body) {
        try {
            return body.get();
        } catch (QuantizerException | VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new QuantizerException(quantizer, tensor, shape, call, e);
        }
    }

    private static int[] toInts(float[] codes) {
        int[] ints = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            ints[i] = (int) codes[i];
        }
        return ints;
    }
}
