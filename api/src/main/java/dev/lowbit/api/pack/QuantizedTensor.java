package dev.lowbit.api.pack;

import java.util.Arrays;

/**
 * A tensor stored as integer codes on an alphabet of k values, times broadcast fp32 scales.
 *
 * <p>Element i stands for {@code alphabet[codes[i]] * scales[j]}, where j is the element of the
 * scale tensor that i maps to under right-aligned broadcasting (as in NumPy and DJL): scale shape
 * {@code [1]} is one scale per tensor, {@code [out, 1]} one per output channel of an
 * {@code [out, in]} weight.
 *
 * @param name the tensor's name, not empty
 * @param shape the tensor's shape; copied in
 * @param alphabet the k >= 2 finite values a code stands for, code c meaning {@code alphabet[c]}; copied in
 * @param codes the codes in row-major order, each in {@code [0, k)}, as many as the shape holds; copied in
 * @param scaleShape the shape of the scales, broadcastable to {@code shape}; copied in
 * @param scales the scales in row-major order, as many as the scale shape holds; copied in
 */
public record QuantizedTensor(String name, long[] shape, double[] alphabet, int[] codes,
        long[] scaleShape, float[] scales) implements PackedTensor {

    /** Validates names, counts against shapes, the alphabet, the code range and the broadcast. */
    public QuantizedTensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A packed tensor needs a name");
        }
        String what = "Tensor '" + name + "'";
        shape = shape == null ? null : shape.clone();
        scaleShape = scaleShape == null ? null : scaleShape.clone();
        int count = Shapes.elementCount(what, shape);
        if (alphabet == null || alphabet.length < 2) {
            throw new IllegalArgumentException(what + " needs an alphabet of at least 2 values, got "
                    + (alphabet == null ? "none" : Arrays.toString(alphabet)));
        }
        alphabet = alphabet.clone();
        for (double value : alphabet) {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException(what + " has a non-finite alphabet value in "
                        + Arrays.toString(alphabet));
            }
        }
        if (codes == null || codes.length != count) {
            throw new IllegalArgumentException(what + " of shape " + Shapes.format(shape) + " needs "
                    + count + " codes, got " + (codes == null ? "none" : codes.length));
        }
        codes = codes.clone();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < 0 || codes[i] >= alphabet.length) {
                throw new IllegalArgumentException(what + " has code " + codes[i] + " at index " + i
                        + ", outside [0, " + alphabet.length + ")");
            }
        }
        int scaleCount = Shapes.elementCount(what + " scale", scaleShape);
        if (scales == null || scales.length != scaleCount) {
            throw new IllegalArgumentException(what + " scale shape " + Shapes.format(scaleShape) + " needs "
                    + scaleCount + " scales, got " + (scales == null ? "none" : scales.length));
        }
        scales = scales.clone();
        checkBroadcast(what, shape, scaleShape);
    }

    private static void checkBroadcast(String what, long[] shape, long[] scaleShape) {
        boolean fits = scaleShape.length <= shape.length;
        for (int i = 1; fits && i <= scaleShape.length; i++) {
            long dim = scaleShape[scaleShape.length - i];
            fits = dim == 1 || dim == shape[shape.length - i];
        }
        if (!fits) {
            throw new IllegalArgumentException(what + " scale shape " + Shapes.format(scaleShape)
                    + " does not broadcast to its shape " + Shapes.format(shape));
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The alphabet; a copy. */
    @Override
    public double[] alphabet() {
        return alphabet.clone();
    }

    /** The codes in row-major order; a copy. */
    @Override
    public int[] codes() {
        return codes.clone();
    }

    /** The shape of the scales; a copy. */
    @Override
    public long[] scaleShape() {
        return scaleShape.clone();
    }

    /** The scales in row-major order; a copy. */
    @Override
    public float[] scales() {
        return scales.clone();
    }

    /** The number of alphabet values k. */
    public int levels() {
        return alphabet.length;
    }

    @Override
    public int elementCount() {
        return codes.length;
    }

    /** The values the tensor stands for, {@code alphabet[code] * scale}, in row-major order. */
    public float[] dequantize() {
        int rank = shape.length;
        // Stride of each tensor dimension within the scales; 0 where the scale is broadcast.
        long[] scaleStride = new long[rank];
        long stride = 1;
        for (int i = 1; i <= scaleShape.length; i++) {
            long dim = scaleShape[scaleShape.length - i];
            scaleStride[rank - i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        float[] values = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            long rest = i;
            long scaleIndex = 0;
            for (int d = rank - 1; d >= 0; d--) {
                scaleIndex += (rest % shape[d]) * scaleStride[d];
                rest /= shape[d];
            }
            values[i] = (float) (alphabet[codes[i]] * scales[(int) scaleIndex]);
        }
        return values;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof QuantizedTensor that && name.equals(that.name)
                && Arrays.equals(shape, that.shape) && Arrays.equals(alphabet, that.alphabet)
                && Arrays.equals(codes, that.codes) && Arrays.equals(scaleShape, that.scaleShape)
                && Arrays.equals(scales, that.scales);
    }

    @Override
    public int hashCode() {
        int hash = name.hashCode();
        hash = 31 * hash + Arrays.hashCode(shape);
        hash = 31 * hash + Arrays.hashCode(alphabet);
        hash = 31 * hash + Arrays.hashCode(codes);
        hash = 31 * hash + Arrays.hashCode(scaleShape);
        return 31 * hash + Arrays.hashCode(scales);
    }

    @Override
    public String toString() {
        return "QuantizedTensor[" + name + " " + Shapes.format(shape) + ", k=" + alphabet.length
                + ", scales " + Shapes.format(scaleShape) + "]";
    }
}
