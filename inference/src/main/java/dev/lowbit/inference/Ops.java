package dev.lowbit.inference;

/** The element-wise and small steps between the matrix products, as DJL's PyTorch engine computes them. */
final class Ops {

    private Ops() {}

    /** ReLU of the real columns of every feature; vectorised (a branch per value mispredicts on half of them). */
    static void relu(float[] x, int features, int n, int stride, Lanes lanes) {
        for (int f = 0; f < features; f++) {
            lanes.relu(x, f * stride, n);
        }
    }

    /** PyTorch's default GELU, {@code x (1 + erf(x / sqrt 2)) / 2} (not the tanh approximation). */
    static void gelu(float[] x, int features, int n, int stride) {
        for (int f = 0; f < features; f++) {
            for (int i = f * stride, end = i + n; i < end; i++) {
                double v = x[i];
                x[i] = (float) (0.5 * v * (1 + erf(v / Math.sqrt(2))));
            }
        }
    }

    /** Coefficients of the Chebyshev fit in {@link #erf}, lowest order first. */
    private static final double[] ERFC_FIT = {
        -1.26551223,
        1.00002368,
        0.37409196,
        0.09678418,
        -0.18628806,
        0.27886807,
        -1.13520398,
        1.48851587,
        -0.82215223,
        0.17087277
    };

    /** erf with a relative error below 1.2e-7 (Numerical Recipes' erfc, a Chebyshev fit): float precision. */
    static double erf(double x) {
        double z = Math.abs(x);
        double t = 1 / (1 + 0.5 * z);
        double polynomial = 0;
        for (int i = ERFC_FIT.length - 1; i >= 0; i--) {
            polynomial = polynomial * t + ERFC_FIT[i];
        }
        double erfc = t * Math.exp(-z * z + polynomial);
        return x >= 0 ? 1 - erfc : erfc - 1;
    }

    /**
     * Layer norm of each of {@code n} columns over its {@code features} (biased variance, DJL's default epsilon
     * 1e-5), into a new array of the same layout.
     */
    static float[] layerNorm(float[] x, int features, int n, int stride, float[] gamma, float[] beta) {
        float[] y = new float[features * stride];
        for (int r = 0; r < n; r++) {
            double sum = 0;
            for (int f = 0; f < features; f++) {
                sum += x[f * stride + r];
            }
            double mean = sum / features;
            double squares = 0;
            for (int f = 0; f < features; f++) {
                double d = x[f * stride + r] - mean;
                squares += d * d;
            }
            double inverse = 1 / Math.sqrt(squares / features + 1e-5);
            for (int f = 0; f < features; f++) {
                y[f * stride + r] = (float) ((x[f * stride + r] - mean) * inverse) * gamma[f] + beta[f];
            }
        }
        return y;
    }

    /** 2x2 max pooling, stride 2, of {@code channels} planes of {@code height x width} (row stride {@code stride} per channel), floor mode. */
    static float[] maxPool(float[] x, int channels, int height, int width, int stride) {
        int outHeight = height / 2;
        int outWidth = width / 2;
        float[] y = new float[channels * outHeight * outWidth];
        for (int c = 0; c < channels; c++) {
            int plane = c * stride;
            for (int oy = 0; oy < outHeight; oy++) {
                int top = plane + 2 * oy * width;
                for (int ox = 0; ox < outWidth; ox++) {
                    int i = top + 2 * ox;
                    y[(c * outHeight + oy) * outWidth + ox] =
                            Math.max(Math.max(x[i], x[i + 1]), Math.max(x[i + width], x[i + width + 1]));
                }
            }
        }
        return y;
    }

    /**
     * The columns a convolution multiplies: for each input channel and kernel offset (the kernel's row-major
     * order), the input value under it at every output position, 0 in the padding; feature-major.
     */
    static float[] unfold(
            float[] image,
            int channels,
            int height,
            int width,
            int kernel,
            int step,
            int padding,
            int outHeight,
            int outWidth,
            int stride) {
        float[] columns = new float[channels * kernel * kernel * stride];
        for (int c = 0; c < channels; c++) {
            for (int ky = 0; ky < kernel; ky++) {
                for (int kx = 0; kx < kernel; kx++) {
                    int row = ((c * kernel + ky) * kernel + kx) * stride;
                    for (int oy = 0; oy < outHeight; oy++) {
                        int iy = oy * step + ky - padding;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        for (int ox = 0; ox < outWidth; ox++) {
                            int ix = ox * step + kx - padding;
                            if (ix >= 0 && ix < width) {
                                columns[row + oy * outWidth + ox] = image[(c * height + iy) * width + ix];
                            }
                        }
                    }
                }
            }
        }
        return columns;
    }
}
