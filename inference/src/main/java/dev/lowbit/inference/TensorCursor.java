package dev.lowbit.inference;

import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import java.util.Arrays;
import java.util.List;

/**
 * The file's tensors in their stored order (DJL's parameter order: a block's own parameters, then its
 * children's), taken one by one as a family's graph expects them, each checked by name suffix and shape, so a
 * file that is not of the family fails naming the first tensor that does not fit.
 */
final class TensorCursor {

    private final List<PackedTensor> tensors;
    private final String family;
    /** Each weight's input quantizer in order (null: fp32 inputs); empty: none anywhere. */
    private final List<IntegerInputs> inputs;

    private int next;
    private int weights;

    TensorCursor(PackedModel model, String family, List<IntegerInputs> inputs) {
        this.tensors = model.tensors();
        this.family = family;
        this.inputs = inputs;
        for (PackedTensor tensor : tensors) {
            if (tensor.name().contains("_input_")) {
                throw new IllegalArgumentException("Tensor '" + tensor.name() + "' holds an activation quantizer's"
                        + " trained values; the packed engine does not run activation quantizers. Evaluate the model"
                        + " with --engine djl.");
            }
        }
    }

    /** Whether the next tensor's name ends with {@code suffix}. */
    boolean nextEndsWith(String suffix) {
        return next < tensors.size() && tensors.get(next).name().endsWith(suffix);
    }

    /** Whether the next tensor has {@code rank} axes. */
    boolean nextHasRank(int rank) {
        return next < tensors.size() && tensors.get(next).shape().length == rank;
    }

    /** The next tensor's shape, or an empty one at the end. */
    long[] nextShape() {
        return next < tensors.size() ? tensors.get(next).shape() : new long[0];
    }

    /** The next tensor, which must end with {@code suffix} and have {@code rank} axes (any rank when negative). */
    PackedTensor take(String suffix, int rank, String what) {
        if (next >= tensors.size()) {
            throw new IllegalArgumentException(
                    "The file ends where " + family + " needs " + what + " (a tensor named *" + suffix + ")");
        }
        PackedTensor tensor = tensors.get(next);
        if (!tensor.name().endsWith(suffix) || (rank >= 0 && tensor.shape().length != rank)) {
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' of shape "
                    + Arrays.toString(tensor.shape()) + " is where " + family + " needs " + what + " (*" + suffix
                    + (rank >= 0 ? ", " + rank + " axes" : "") + ")");
        }
        next++;
        return tensor;
    }

    /** The next tensor as fp32 values, which must hold exactly {@code count} of them. */
    float[] values(String suffix, int count, String what) {
        PackedTensor tensor = take(suffix, -1, what);
        if (!(tensor instanceof Fp32Tensor fp32) || fp32.elementCount() != count) {
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' of shape "
                    + Arrays.toString(tensor.shape()) + (tensor instanceof Fp32Tensor ? "" : ", quantized,")
                    + " is where " + family + " needs " + what + ": " + count + " fp32 values");
        }
        return fp32.values();
    }

    /** The input quantizer of the weight {@link #matrix} took last, or null. */
    IntegerInputs lastInputs() {
        return inputs.isEmpty() ? null : inputs.get(weights - 1);
    }

    /** A weight matrix of {@code cols} inputs per row (any rows when {@code rows} is negative). */
    Matrix matrix(String suffix, int rank, int rows, int cols, String what) {
        PackedTensor tensor = take(suffix, rank, what);
        if (!inputs.isEmpty() && weights >= inputs.size()) {
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' is weight " + (weights + 1) + " but the"
                    + " model's schemes name the inputs of " + inputs.size() + " layers");
        }
        weights++;
        Matrix matrix = Matrix.of(tensor);
        if ((rows >= 0 && matrix.rows() != rows) || matrix.cols() != cols) {
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' of shape "
                    + Arrays.toString(tensor.shape()) + " is where " + family + " needs " + what + " of "
                    + (rows >= 0 ? rows + " rows and " : "") + cols + " inputs per row");
        }
        return matrix;
    }

    /** Every tensor must have been taken: one left over means the file is of another graph. */
    void requireDone() {
        if (!inputs.isEmpty() && weights != inputs.size()) {
            throw new IllegalArgumentException(family + " has " + weights + " weight layers but the model's schemes"
                    + " name the inputs of " + inputs.size());
        }
        if (next < tensors.size()) {
            PackedTensor tensor = tensors.get(next);
            throw new IllegalArgumentException("Tensor '" + tensor.name() + "' of shape "
                    + Arrays.toString(tensor.shape()) + " is one more than " + family + " has");
        }
    }
}
