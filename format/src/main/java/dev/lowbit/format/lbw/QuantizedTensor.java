package dev.lowbit.format.lbw;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * A tensor stored as integer codes on an alphabet of k values, with fp32 scales (and optionally zero
 * points) in one standard form, whatever quantizer made it:
 * <pre>
 *   value[i] = float(alphabet[codes[i]]) * s[j]                 without zero points
 *   value[i] = (float(alphabet[codes[i]]) - z[j]) * s[j]        with zero points
 * </pre>
 * in float32 arithmetic, the ops training's forward pass runs, so {@link #dequantize} reproduces the
 * trained model's weights bit for bit without the quantizer. Which scale j element i takes:
 * <ul>
 *   <li>{@code groupSize == 0} (every version-1 file): j is the element of the scale tensor that i maps to
 *       under right-aligned broadcasting (as in NumPy and DJL): scale shape {@code [1]} is one scale per
 *       tensor, {@code [out, 1]} one per output channel of an {@code [out, in]} weight;
 *   <li>{@code groupSize == G > 0}: the scales have shape {@code (out, ceil(n / G))}, n the elements of one
 *       output channel (all axes after the first, in row-major order); element i of channel r at position
 *       p within it takes scale {@code (r, p / G)}, so each channel's last group is shorter when G does
 *       not divide n.
 * </ul>
 *
 * @param name the tensor's name, not empty
 * @param shape the tensor's shape; copied in
 * @param alphabet the k >= 2 finite values a code stands for, code c meaning {@code alphabet[c]}; copied in
 * @param codes the codes in row-major order, each in {@code [0, k)}, as many as the shape holds; copied in
 * @param scaleShape the shape of the scales: broadcastable to {@code shape}, or {@code (out, ceil(n / G))}
 *     with groups; copied in
 * @param scales the scales in row-major order, as many as the scale shape holds; copied in
 * @param groupSize 0 for broadcast scales, else the group size G
 * @param zeroPoints null for none, else finite zero points in the scales' shape and order; copied in
 * @param extras the tensor's trained values, kept for the record (LSQ's step, TTQ's magnitudes), names
 *     unique; not used to decode; may be empty; copied in
 */
public record QuantizedTensor(
        String name,
        long[] shape,
        double[] alphabet,
        int[] codes,
        long[] scaleShape,
        float[] scales,
        int groupSize,
        float[] zeroPoints,
        List<Fp32Tensor> extras)
        implements PackedTensor {

    /** Validates names, counts against shapes, the alphabet, the code range, the scales' layout and the extras. */
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
                throw new IllegalArgumentException(
                        what + " has a non-finite alphabet value in " + Arrays.toString(alphabet));
            }
        }
        if (codes == null || codes.length != count) {
            throw new IllegalArgumentException(what + " of shape " + Shapes.format(shape) + " needs " + count
                    + " codes, got " + (codes == null ? "none" : codes.length));
        }
        codes = codes.clone();
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < 0 || codes[i] >= alphabet.length) {
                throw new IllegalArgumentException(
                        what + " has code " + codes[i] + " at index " + i + ", outside [0, " + alphabet.length + ")");
            }
        }
        int scaleCount = Shapes.elementCount(what + " scale", scaleShape);
        if (scales == null || scales.length != scaleCount) {
            throw new IllegalArgumentException(what + " scale shape " + Shapes.format(scaleShape) + " needs "
                    + scaleCount + " scales, got " + (scales == null ? "none" : scales.length));
        }
        scales = scales.clone();
        if (groupSize == 0) {
            checkBroadcast(what, shape, scaleShape);
        } else {
            checkGroups(what, shape, scaleShape, groupSize);
        }
        if (zeroPoints != null) {
            if (zeroPoints.length != scaleCount) {
                throw new IllegalArgumentException(what + " scale shape " + Shapes.format(scaleShape) + " needs "
                        + scaleCount + " zero points, got " + zeroPoints.length);
            }
            zeroPoints = zeroPoints.clone();
            for (int i = 0; i < zeroPoints.length; i++) {
                if (!Float.isFinite(zeroPoints[i])) {
                    throw new IllegalArgumentException(
                            what + " has a non-finite zero point " + zeroPoints[i] + " at index " + i);
                }
            }
        }
        extras = List.copyOf(Objects.requireNonNull(extras, () -> what + " needs a list of extras (it may be empty)"));
        Set<String> names = new HashSet<>();
        for (Fp32Tensor extra : extras) {
            if (!names.add(extra.name())) {
                throw new IllegalArgumentException(what + " has two extras named '" + extra.name() + "'");
            }
        }
    }

    /**
     * A tensor with broadcast scales, no zero points and no extras: everything a version-1 file holds.
     */
    public QuantizedTensor(
            String name, long[] shape, double[] alphabet, int[] codes, long[] scaleShape, float[] scales) {
        this(name, shape, alphabet, codes, scaleShape, scales, 0, null, List.of());
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

    private static void checkGroups(String what, long[] shape, long[] scaleShape, int groupSize) {
        if (groupSize < 0) {
            throw new IllegalArgumentException(
                    what + " has group size " + groupSize + "; use 0 for broadcast scales or a positive group size");
        }
        if (shape.length == 0) {
            throw new IllegalArgumentException(
                    what + " is a scalar, which has no groups of " + groupSize + "; store it with group size 0");
        }
        long[] expected = {shape[0], (rowLength(shape) + groupSize - 1) / groupSize};
        if (!Arrays.equals(scaleShape, expected)) {
            throw new IllegalArgumentException(what + " of shape " + Shapes.format(shape) + " in groups of "
                    + groupSize + " needs scale shape " + Shapes.format(expected) + ", got "
                    + Shapes.format(scaleShape));
        }
    }

    /** The elements of one output channel: everything after axis 0 (1 for a vector). */
    private static long rowLength(long[] shape) {
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
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

    /** The zero points in the scales' order, a copy; null when the tensor has none. */
    @Override
    public float[] zeroPoints() {
        return zeroPoints == null ? null : zeroPoints.clone();
    }

    /** The number of alphabet values k. */
    public int levels() {
        return alphabet.length;
    }

    @Override
    public int elementCount() {
        return codes.length;
    }

    /**
     * The values the tensor stands for, in row-major order, computed in float32 as training's forward pass
     * does: {@code (float) alphabet[c] * s}, or {@code ((float) alphabet[c] - z) * s} with zero points.
     */
    public float[] dequantize() {
        float[] levels = new float[alphabet.length];
        for (int c = 0; c < levels.length; c++) {
            levels[c] = (float) alphabet[c];
        }
        int[] scaleIndex = groupSize > 0 ? groupIndex() : broadcastIndex();
        float[] values = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            int j = scaleIndex[i];
            values[i] =
                    zeroPoints == null ? levels[codes[i]] * scales[j] : (levels[codes[i]] - zeroPoints[j]) * scales[j];
        }
        return values;
    }

    /** The scale of every element under right-aligned broadcasting. */
    private int[] broadcastIndex() {
        int rank = shape.length;
        // Stride of each tensor dimension within the scales; 0 where the scale is broadcast.
        long[] scaleStride = new long[rank];
        long stride = 1;
        for (int i = 1; i <= scaleShape.length; i++) {
            long dim = scaleShape[scaleShape.length - i];
            scaleStride[rank - i] = dim == 1 ? 0 : stride;
            stride *= dim;
        }
        int[] index = new int[codes.length];
        for (int i = 0; i < codes.length; i++) {
            long rest = i;
            long scaleIndex = 0;
            for (int d = rank - 1; d >= 0; d--) {
                scaleIndex += (rest % shape[d]) * scaleStride[d];
                rest /= shape[d];
            }
            index[i] = (int) scaleIndex;
        }
        return index;
    }

    /** The scale of every element per group: channel r, position p within it, scale (r, p / G). */
    private int[] groupIndex() {
        int[] index = new int[codes.length];
        long n = rowLength(shape);
        long groups = scaleShape[1];
        for (int i = 0; i < codes.length; i++) {
            index[i] = (int) (i / n * groups + i % n / groupSize);
        }
        return index;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof QuantizedTensor that
                && name.equals(that.name)
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(alphabet, that.alphabet)
                && Arrays.equals(codes, that.codes)
                && Arrays.equals(scaleShape, that.scaleShape)
                && Arrays.equals(scales, that.scales)
                && groupSize == that.groupSize
                && Arrays.equals(zeroPoints, that.zeroPoints)
                && extras.equals(that.extras);
    }

    @Override
    public int hashCode() {
        int hash = name.hashCode();
        hash = 31 * hash + Arrays.hashCode(shape);
        hash = 31 * hash + Arrays.hashCode(alphabet);
        hash = 31 * hash + Arrays.hashCode(codes);
        hash = 31 * hash + Arrays.hashCode(scaleShape);
        hash = 31 * hash + Arrays.hashCode(scales);
        hash = 31 * hash + groupSize;
        hash = 31 * hash + Arrays.hashCode(zeroPoints);
        return 31 * hash + extras.hashCode();
    }

    @Override
    public String toString() {
        return "QuantizedTensor[" + name + " " + Shapes.format(shape) + ", k=" + alphabet.length
                + ", scales " + Shapes.format(scaleShape) + (groupSize > 0 ? " in groups of " + groupSize : "")
                + (zeroPoints != null ? " with zero points" : "")
                + (extras.isEmpty()
                        ? ""
                        : ", extras " + extras.stream().map(Fp32Tensor::name).toList()) + "]";
    }
}
