package dev.lowbit.inference;

/** An fp32 weight (a layer a layer policy kept in full precision, or an fp32 model): plain dot products. */
final class FloatMatrix implements Matrix {

    private final String name;
    private final float[] weights;
    private final int rows;
    private final int cols;

    FloatMatrix(String name, float[] weights, int rows, int cols) {
        this.name = name;
        this.weights = weights;
        this.rows = rows;
        this.cols = cols;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int cols() {
        return cols;
    }

    @Override
    public void multiply(float[] x, int n, int stride, float[] y, Lanes lanes) {
        if (n == 1) {
            // One column is contiguous (stride 1): a dot product per row.
            for (int o = 0; o < rows; o++) {
                y[o] = lanes.dot(weights, o * cols, x, 0, cols);
            }
            return;
        }
        for (int o = 0; o < rows; o++) {
            java.util.Arrays.fill(y, o * stride, o * stride + stride, 0f);
            for (int j = 0; j < cols; j++) {
                lanes.axpy(y, o * stride, weights[o * cols + j], x, j * stride, stride);
            }
        }
    }

    @Override
    public long bytes() {
        return 4L * weights.length;
    }

    @Override
    public String kernel(int n) {
        return "fp32 " + (n == 1 ? "dot products" : "multiply-add");
    }
}
