package dev.lowbit.inference;

import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;

/**
 * A layer's weight as a {@code rows x cols} matrix (a convolution's kernel flattened per filter), multiplied
 * into activations held feature-major: column r of {@code x} is {@code x[j * stride + r]} for feature j.
 */
interface Matrix {

    /** The weight tensor's name in the file. */
    String name();

    /** Output features. */
    int rows();

    /** Input features. */
    int cols();

    /**
     * {@code y[o * stride + r] = sum_j W[o][j] * x[j * stride + r]} for every row o and column {@code r < n};
     * {@code y} is overwritten (padding columns included).
     */
    void multiply(float[] x, int n, int stride, float[] y, Lanes lanes);

    /** The bytes the matrix holds: codes, scales, zero points, or the fp32 weights. */
    long bytes();

    /** The kernel it runs at {@code n} columns, for {@link PackedNetwork#describe}. */
    String kernel(int n);

    /** The matrix of a stored weight: quantized tensors stay packed, fp32 ones (a layer kept in fp32) stay fp32. */
    static Matrix of(PackedTensor tensor) {
        if (tensor instanceof QuantizedTensor quantized) {
            return CodeMatrix.of(quantized);
        }
        Fp32Tensor fp32 = (Fp32Tensor) tensor;
        long[] shape = fp32.shape();
        return new FloatMatrix(fp32.name(), fp32.values(), (int) shape[0], fp32.elementCount() / (int) shape[0]);
    }
}
