package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.pack.Fp32Tensor;
import dev.lowbit.api.pack.PackedModel;
import dev.lowbit.api.pack.PackedTensor;
import dev.lowbit.api.pack.QuantizedTensor;
import dev.lowbit.api.spi.Quantizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Between a trained DJL model and its packed form: quantized weights leave as integer codes plus
 * their scales, everything else as fp32; they come back decoded by the same quantizer ops training
 * used, so the reloaded weights are bit-identical to the forward pass's Q(W).
 */
public final class ModelPacking {

    private ModelPacking() {}

    /**
     * Packs an initialised model, tensors named as in {@link Block#getParameters()}.
     *
     * @param model the trained model
     * @param metadata what a reader needs to rebuild it (architecture, quantizer spec, input shape, ...)
     */
    public static PackedModel pack(Block model, Map<String, String> metadata) {
        Map<Parameter, QuantizedWeight> quantized = MemoryAccounting.quantizedWeights(model);
        Set<Parameter> learnedScales = MemoryAccounting.learnedScales(quantized);
        List<PackedTensor> tensors = new ArrayList<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            Parameter parameter = entry.getValue();
            if (learnedScales.contains(parameter)) {
                continue; // stored as its weight's scales
            }
            NDArray values = parameter.getArray();
            long[] shape = values.getShape().getShape();
            QuantizedWeight weight = quantized.get(parameter);
            if (weight == null) {
                tensors.add(new Fp32Tensor(entry.getKey(), shape, values.toFloatArray()));
                continue;
            }
            try (NDManager scope = values.getManager().newSubManager()) {
                NDArray detached = values.stopGradient();
                detached.attach(scope);
                NDArray scale = weight.scaleOf(detached);
                NDArray codes = weight.codes(detached, scale);
                tensors.add(new QuantizedTensor(entry.getKey(), shape,
                        weight.quantizer().alphabet().orElseThrow().values(), toInts(codes.toFloatArray()),
                        scale.getShape().getShape(), scale.toFloatArray()));
            }
        }
        return new PackedModel(metadata, tensors);
    }

    /**
     * Makes every parameter of a model built with the full-precision quantizer (so its forward pass
     * uses weights as they are) start at the packed values: quantized tensors decoded by
     * {@code quantizer}, fp32 tensors as stored. Call before {@code initialize}. (Initialisers
     * rather than writing into initialised arrays: PyTorch warns on in-place writes to parameters.)
     *
     * @throws IllegalArgumentException naming the tensor when the file and the model do not match
     */
    public static void initializeFrom(PackedModel packed, Block fp32Model, Quantizer quantizer) {
        Set<String> unused = new HashSet<>();
        packed.tensors().forEach(t -> unused.add(t.name()));
        for (Pair<String, Parameter> entry : fp32Model.getParameters()) {
            String name = entry.getKey();
            PackedTensor stored = packed.tensor(name);
            unused.remove(name);
            entry.getValue().setInitializer((manager, shape, dataType) -> {
                if (!java.util.Arrays.equals(stored.shape(), shape.getShape())) {
                    throw new IllegalArgumentException("Tensor '" + name + "' has shape " + new Shape(stored.shape())
                            + " in the file but " + shape + " in the model");
                }
                if (stored instanceof QuantizedTensor codes) {
                    try (NDManager scope = manager.newSubManager()) {
                        NDArray codeArray = scope.create(toFloats(codes.codes()), shape);
                        NDArray scale = scope.create(codes.scales(), new Shape(codes.scaleShape()));
                        NDArray decoded = quantizer.decode(codeArray, scale);
                        decoded.attach(manager);
                        return decoded;
                    }
                }
                return manager.create(((Fp32Tensor) stored).values(), shape);
            });
        }
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("The file holds tensors the model does not have: " + unused);
        }
    }

    private static int[] toInts(float[] codes) {
        int[] ints = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            ints[i] = (int) codes[i];
        }
        return ints;
    }

    private static float[] toFloats(int[] codes) {
        float[] floats = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            floats[i] = codes[i];
        }
        return floats;
    }
}
