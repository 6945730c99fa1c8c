package dev.lowbit.format.lbw;

import java.util.Arrays;

/**
 * A tensor stored as raw float32 values, e.g. a bias.
 *
 * @param name the tensor's name, not empty
 * @param shape the tensor's shape; copied in
 * @param values the values in row-major order, as many as the shape holds; copied in
 */
public record Fp32Tensor(String name, long[] shape, float[] values) implements PackedTensor {

    /** Validates the name and that the value count matches the shape. */
    public Fp32Tensor {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("A packed tensor needs a name");
        }
        shape = shape == null ? null : shape.clone();
        int count = Shapes.elementCount("Tensor '" + name + "'", shape);
        if (values == null || values.length != count) {
            throw new IllegalArgumentException("Tensor '" + name + "' of shape " + Shapes.format(shape) + " needs "
                    + count + " values, got " + (values == null ? "none" : values.length));
        }
        values = values.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** The values in row-major order; a copy. */
    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public int elementCount() {
        return values.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Fp32Tensor that
                && name.equals(that.name)
                && Arrays.equals(shape, that.shape)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "Fp32Tensor[" + name + " " + Shapes.format(shape) + "]";
    }
}
