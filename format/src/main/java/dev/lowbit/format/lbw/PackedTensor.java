package dev.lowbit.format.lbw;

/**
 * One named tensor of a {@link PackedModel}: either quantized codes with their alphabet and scales,
 * or raw fp32 values.
 */
public sealed interface PackedTensor permits QuantizedTensor, Fp32Tensor {

    /** The tensor's name, unique within its model, e.g. {@code 1.weight}. */
    String name();

    /** The tensor's shape; a copy. */
    long[] shape();

    /** The number of elements, the product of the shape. */
    int elementCount();
}
