package dev.lowbit.inference;

/**
 * A layer's input quantizer the engine computes: lowbit's {@code intN@absmax/token} activations (BitNet b1.58's
 * A8), each token (an example's features, a transformer token's features, a pixel's channels) rounded to the
 * signed integers {@code -2^(N-1) .. 2^(N-1) - 1} at the scale {@code s = max(max|x|, 1e-5) / (2^(N-1) - 1)},
 * then multiplied back: {@code x' = clip(round(x / s)) * s}, in float32 with ties to even, as training's forward
 * pass computes it.
 *
 * @param bits N, from 2 to 16
 */
public record IntegerInputs(int bits) {

    /** The smallest max|x| the scale is taken from (a token of zeros would otherwise divide by zero). */
    private static final float MIN_MAXIMUM = 1e-5f;

    /** Checks the bits. */
    public IntegerInputs {
        if (bits < 2 || bits > 16) {
            throw new IllegalArgumentException("Integer inputs take 2 to 16 bits, got " + bits);
        }
    }

    /**
     * Quantizes {@code n} tokens in place: token r is {@code x[f * stride + r]} for its {@code features} f
     * (feature-major, as the engine holds activations, or {@code (channels, positions)} for an image).
     */
    void quantize(float[] x, int features, int n, int stride) {
        float largest = (1 << (bits - 1)) - 1;
        float low = -(1 << (bits - 1));
        for (int r = 0; r < n; r++) {
            float maximum = 0;
            for (int f = 0; f < features; f++) {
                maximum = Math.max(maximum, Math.abs(x[f * stride + r]));
            }
            float scale = Math.max(maximum, MIN_MAXIMUM) / largest;
            for (int f = 0; f < features; f++) {
                int i = f * stride + r;
                float level = Math.min(largest, Math.max(low, x[i] / scale));
                // rint rounds halfway cases to even, as training's float rounding does; + 0f turns -0 into +0.
                x[i] = ((float) Math.rint(level) + 0f) * scale;
            }
        }
    }

    @Override
    public String toString() {
        return "int" + bits + "@absmax/token";
    }
}
