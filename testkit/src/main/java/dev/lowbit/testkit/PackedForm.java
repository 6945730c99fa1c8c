package dev.lowbit.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.format.packing.ModelPacking;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The standard packed form ({@link QuantizedTensor}) of a quantized tensor, the one {@code lowbit eval}
 * decodes without the quantizer: built as {@link ModelPacking} builds it, or through ModelPacking itself
 * on a real layer and a real {@code .lbw} file.
 */
final class PackedForm {

    private PackedForm() {}

    /**
     * The tensor as {@link ModelPacking} stores it: the quantizer's scale (split into scales and zero
     * points when affine) and codes, or, for trained values, a learned quantizer's codes, packed scale and
     * packed alphabet; the group size of a group granularity.
     *
     * @param trained the trained values, or null for a quantizer that trains none
     */
    static QuantizedTensor of(Quantizer quantizer, NDArray weights, NDList trained) {
        Shape shape = weights.getShape();
        NDArray scale;
        NDArray codes;
        double[] alphabet;
        if (trained == null) {
            scale = quantizer.scale(weights);
            codes = quantizer.codes(weights, scale);
            alphabet = quantizer.alphabet().orElseThrow().values();
        } else {
            LearnedQuantizer learned = (LearnedQuantizer) quantizer;
            codes = learned.codes(weights, trained);
            scale = learned.packedScale(weights, trained);
            alphabet = learned.packedAlphabet(trained);
        }
        NDArray scales = quantizer.affine() ? scale.get(0) : scale;
        float[] zeroPoints = quantizer.affine() ? scale.get(1).toFloatArray() : null;
        Granularity granularity = quantizer.granularity();
        int groupSize = granularity.isGroup() && shape.dimension() > 1 ? granularity.groupSize() : 0;
        long[] scaleShape = groupSize > 0
                ? granularity.scaleShape(shape).getShape()
                : scales.getShape().getShape();
        return new QuantizedTensor(
                "weight",
                shape.getShape(),
                alphabet,
                toInts(codes.toFloatArray()),
                scaleShape,
                scales.toFloatArray(),
                groupSize,
                zeroPoints,
                List.of());
    }

    /**
     * What every position of {@code tensor} decodes to for each code: {@code candidates[c][i]} is
     * element i's value had it code c (its own scale and zero point, groups included).
     */
    static float[][] candidates(QuantizedTensor tensor) {
        float[][] candidates = new float[tensor.levels()][];
        int[] codes = new int[tensor.elementCount()];
        for (int c = 0; c < candidates.length; c++) {
            Arrays.fill(codes, c);
            candidates[c] = new QuantizedTensor(
                            tensor.name(),
                            tensor.shape(),
                            tensor.alphabet(),
                            codes,
                            tensor.scaleShape(),
                            tensor.scales(),
                            tensor.groupSize(),
                            tensor.zeroPoints(),
                            List.of())
                    .dequantize();
        }
        return candidates;
    }

    /**
     * A linear layer (for {@code (out, in)} weights) or a convolution (for {@code (out, in, k, k)} kernels)
     * built with {@code quantizer}, its weights drawn from N(0, 0.05^2), initialised in {@code manager}.
     */
    static AbstractBlock layer(Quantizer quantizer, long[] shape, NDManager manager) {
        AbstractBlock layer;
        Shape input;
        if (shape.length == 2) {
            layer = new QuantizedLinear(shape[0], quantizer);
            input = new Shape(2, shape[1]);
        } else if (shape.length == 4 && shape[2] == shape[3]) {
            layer = new QuantizedConv2d((int) shape[0], (int) shape[2], 1, 0, quantizer);
            input = new Shape(1, shape[1], shape[2], shape[3]);
        } else {
            throw new IllegalArgumentException("No layer has weights of shape " + Arrays.toString(shape));
        }
        layer.setInitializer(new NormalInitializer(0.05f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.05f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, input);
        return layer;
    }

    /** The weights {@code layer}'s forward pass uses in evaluation: Q(W), or quantizeTrained at its trained values. */
    static NDArray evaluationWeights(AbstractBlock layer, NDManager manager) {
        return ((QuantizedBlock) layer).quantizedWeight().forward(new ParameterStore(manager, false), manager, false);
    }

    /** {@code layer} packed by {@link ModelPacking}, written to a {@code .lbw} file and read back: its weight tensor. */
    static QuantizedTensor throughFile(AbstractBlock layer) {
        PackedModel packed = ModelPacking.pack(layer, Map.of());
        Path file = null;
        try {
            file = Files.createTempFile("lowbit-contract", ".lbw");
            LbwFile.write(packed, file);
            return (QuantizedTensor) LbwFile.read(file).model().tensor("weight");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (file != null) {
                file.toFile().delete();
            }
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
