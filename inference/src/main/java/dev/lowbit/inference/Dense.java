package dev.lowbit.inference;

/**
 * A weight matrix and a per-output affine {@code y = scale * (W x) + shift}: a linear layer's bias
 * ({@code scale} 1), or a convolution's bias with the batch norm after it folded in.
 */
final class Dense {

    private final Matrix matrix;
    /** Per output; null for 1. */
    private final float[] scale;

    private final float[] shift;
    /** The layer's input quantizer, or null for fp32 inputs. */
    private final IntegerInputs inputs;

    Dense(Matrix matrix, float[] scale, float[] shift, IntegerInputs inputs) {
        this.matrix = matrix;
        this.scale = scale;
        this.shift = shift;
        this.inputs = inputs;
    }

    /** A linear layer: the weight and its bias. */
    static Dense linear(TensorCursor tensors, int rows, int cols, String what) {
        Matrix matrix = tensors.matrix("_weight", 2, rows, cols, what + "'s weight");
        IntegerInputs inputs = tensors.lastInputs();
        return new Dense(matrix, null, tensors.values("_bias", matrix.rows(), biasOf(matrix)), inputs);
    }

    /**
     * A convolution's kernel and bias with the batch norm that follows, in evaluation (running statistics, DJL's
     * default epsilon 1e-5): {@code gamma (conv + b - mean) / sqrt(var + eps) + beta}.
     */
    static Dense convolutionWithBatchNorm(TensorCursor tensors, int channels, int kernel, String what) {
        Matrix matrix = tensors.matrix("_weight", 4, -1, channels * kernel * kernel, what + "'s kernel");
        IntegerInputs inputs = tensors.lastInputs();
        int filters = matrix.rows();
        float[] bias = tensors.values("_bias", filters, biasOf(matrix));
        float[] gamma = tensors.values("_gamma", filters, "the batch norm's gamma after " + what);
        float[] beta = tensors.values("_beta", filters, "the batch norm's beta after " + what);
        float[] mean = tensors.values("_runningMean", filters, "the batch norm's running mean after " + what);
        float[] variance = tensors.values("_runningVar", filters, "the batch norm's running variance after " + what);
        float[] scale = new float[filters];
        float[] shift = new float[filters];
        for (int o = 0; o < filters; o++) {
            scale[o] = (float) (gamma[o] / Math.sqrt(variance[o] + 1e-5));
            shift[o] = (bias[o] - mean[o]) * scale[o] + beta[o];
        }
        return new Dense(matrix, scale, shift, inputs);
    }

    /** A convolution without batch norm: the kernel and its bias. */
    static Dense convolution(TensorCursor tensors, int filters, int channels, int kernel, String what) {
        Matrix matrix = tensors.matrix("_weight", 4, filters, channels * kernel * kernel, what + "'s kernel");
        IntegerInputs inputs = tensors.lastInputs();
        return new Dense(matrix, null, tensors.values("_bias", filters, biasOf(matrix)), inputs);
    }

    /**
     * A convolution's input quantized as training quantized it, per pixel over its channels, in place: before the
     * image is unfolded into the columns {@link #apply} multiplies (which copy pixels). Nothing without inputs.
     */
    void quantizeImage(float[] image, int channels, int positions) {
        if (inputs != null) {
            inputs.quantize(image, channels, positions, positions);
        }
    }

    /** What the tensor after a weight must be: its bias, named as DJL names it. */
    private static String biasOf(Matrix matrix) {
        String weight = matrix.name();
        String stem = weight.endsWith("_weight") ? weight.substring(0, weight.length() - "_weight".length()) : weight;
        return "the bias of '" + weight + "' ('" + stem + "_bias')";
    }

    Matrix matrix() {
        return matrix;
    }

    int rows() {
        return matrix.rows();
    }

    /**
     * {@code W x} plus the affine, for {@code n} columns of feature-major {@code x}; padding columns come along. A
     * linear layer with an input quantizer multiplies each column of {@code x} quantized ({@code x} is left as it
     * is: the attention's three projections quantize the same input).
     */
    float[] apply(float[] x, int n, int stride, Lanes lanes) {
        return apply(x, n, stride, lanes, true);
    }

    /** {@link #apply} of a convolution's columns, whose image {@link #quantizeImage} quantized already. */
    float[] applyToColumns(float[] columns, int n, int stride, Lanes lanes) {
        return apply(columns, n, stride, lanes, false);
    }

    private float[] apply(float[] x, int n, int stride, Lanes lanes, boolean quantizeColumns) {
        if (inputs != null && quantizeColumns) {
            x = x.clone();
            inputs.quantize(x, matrix.cols(), n, stride);
        }
        int rows = matrix.rows();
        float[] y = new float[rows * stride];
        matrix.multiply(x, n, stride, y, lanes);
        for (int o = 0; o < rows; o++) {
            float a = scale == null ? 1f : scale[o];
            float b = shift[o];
            for (int r = o * stride, end = r + n; r < end; r++) {
                y[r] = scale == null ? y[r] + b : y[r] * a + b;
            }
        }
        return y;
    }

    long bytes() {
        return matrix.bytes() + 4L * shift.length + (scale == null ? 0 : 4L * scale.length);
    }

    String describe(String what, int n) {
        return what + " " + matrix.rows() + "x" + matrix.cols() + ": " + matrix.kernel(n)
                + (inputs == null ? "" : ", inputs " + inputs);
    }
}
