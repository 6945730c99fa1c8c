package dev.lowbit.harness.data;

import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * A seeded random transform of training images, applied per image as batches are built. Named
 * presets, because the name is what a suite and a result record:
 * <ul>
 *   <li>{@code none}: the image as it is.
 *   <li>{@code standard}: a random rotation about the image centre (uniform in +-10 degrees), a random
 *       translation by whole pixels (uniform in +-pad per axis: a random crop of the image zero-padded by
 *       pad on every side, with pad = min(rows, cols) / 8 rounded down: 3 px on 28x28, 4 px on 32x32),
 *       then a horizontal flip with probability 0.5. Pixels brought in from outside are 0; rotated
 *       pixels are sampled bilinearly.
 * </ul>
 *
 * <p>The flip suits clothing and natural images, not digits or text. Every random number comes from
 * the {@link Random} handed in, so a run with the same seed sees the same images.
 *
 * <p>The whole transform is one affine map, sampled by inverse mapping: for each output pixel
 * <pre>
 *   (y, x) = (r - dy - cy, c' - dx - cx),  c' = flip ? cols - 1 - c : c
 *   source = (cy + y cos(a) + x sin(a), cx - y sin(a) + x cos(a))
 * </pre>
 * with (cy, cx) the image centre, so a pixel is interpolated once, whatever the combination.
 */
public final class Augmentation {

    /** The preset names. Persisted in results, so never renamed. */
    public static final List<String> NAMES = List.of("none", "standard");

    private final String name;
    private final double flipProbability;
    private final int paddingDivisor;
    private final double maxDegrees;

    private Augmentation(String name, double flipProbability, int paddingDivisor, double maxDegrees) {
        this.name = name;
        this.flipProbability = flipProbability;
        this.paddingDivisor = paddingDivisor;
        this.maxDegrees = maxDegrees;
    }

    /**
     * The preset with this name.
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}, listing them
     */
    public static Augmentation named(String name) {
        return switch (Objects.requireNonNullElse(name, "")) {
            case "none" -> new Augmentation("none", 0, 0, 0);
            case "standard" -> new Augmentation("standard", 0.5, 8, 10);
            default ->
                throw new IllegalArgumentException(
                        "No augmentation named '" + name + "'. Available: " + NAMES + ". Use one of these names.");
        };
    }

    /**
     * A custom transform, for tests of one part at a time.
     *
     * @param paddingDivisor pad = min(rows, cols) / paddingDivisor; 0 for no translation
     */
    static Augmentation custom(double flipProbability, int paddingDivisor, double maxDegrees) {
        return new Augmentation("custom", flipProbability, paddingDivisor, maxDegrees);
    }

    /** The preset's name, as stored in results. */
    public String name() {
        return name;
    }

    /** Whether this leaves every image as it is (and draws no random numbers). */
    public boolean isIdentity() {
        return flipProbability == 0 && paddingDivisor == 0 && maxDegrees == 0;
    }

    /** The most pixels an image of this size is translated by along each axis. */
    public int padding(int rows, int cols) {
        return paddingDivisor == 0 ? 0 : Math.min(rows, cols) / paddingDivisor;
    }

    /**
     * Writes a transformed copy of image {@code index} of {@code images} into {@code out}. The result
     * depends only on the image and the state of {@code random}; allocates nothing.
     *
     * @param out {@code images.imageSize()} bytes, channel-first like the input
     */
    public void apply(ImageSet images, int index, Random random, byte[] out) {
        int size = images.imageSize();
        if (out.length != size) {
            throw new IllegalArgumentException("out holds " + out.length + " bytes, an image " + size);
        }
        Objects.checkIndex(index, images.size());
        int from = index * size;
        if (isIdentity()) {
            System.arraycopy(images.pixels(), from, out, 0, size);
            return;
        }
        int rows = images.rows();
        int cols = images.cols();
        // Always the same four draws in the same order, so where the stream stands after an image does not
        // depend on what was drawn for it.
        boolean flip = random.nextDouble() < flipProbability;
        int pad = padding(rows, cols);
        int dy = random.nextInt(2 * pad + 1) - pad;
        int dx = random.nextInt(2 * pad + 1) - pad;
        double angle = Math.toRadians((2 * random.nextDouble() - 1) * maxDegrees);
        sample(images.pixels(), from, images.channels(), rows, cols, flip, dy, dx, angle, out);
    }

    /** Bilinear sampling along the inverse map; coordinates are computed once per pixel for all channels. */
    private static void sample(
            byte[] in,
            int from,
            int channels,
            int rows,
            int cols,
            boolean flip,
            int dy,
            int dx,
            double angle,
            byte[] out) {
        int plane = rows * cols;
        double cos = Math.cos(angle);
        double sin = Math.sin(angle);
        // Halves and small integers are exact in double, so with no rotation (cos 1, sin 0) every source
        // coordinate is a whole number and shifts and flips copy pixels bit for bit.
        double cy = (rows - 1) / 2.0;
        double cx = (cols - 1) / 2.0;
        for (int r = 0; r < rows; r++) {
            double y = r - dy - cy;
            for (int c = 0; c < cols; c++) {
                double x = (flip ? cols - 1 - c : c) - dx - cx;
                double sy = cy + y * cos + x * sin;
                double sx = cx - y * sin + x * cos;
                int y0 = (int) Math.floor(sy);
                int x0 = (int) Math.floor(sx);
                double fy = sy - y0;
                double fx = sx - x0;
                boolean top = y0 >= 0 && y0 < rows;
                boolean bottom = y0 + 1 >= 0 && y0 + 1 < rows;
                boolean left = x0 >= 0 && x0 < cols;
                boolean right = x0 + 1 >= 0 && x0 + 1 < cols;
                // A neighbour outside the image is the fill 0: weight 0, read from a harmless pixel, so the
                // loop over channels has no branches.
                double w00 = top && left ? (1 - fy) * (1 - fx) : 0;
                double w01 = top && right ? (1 - fy) * fx : 0;
                double w10 = bottom && left ? fy * (1 - fx) : 0;
                double w11 = bottom && right ? fy * fx : 0;
                int o00 = top && left ? y0 * cols + x0 : 0;
                int o01 = top && right ? y0 * cols + x0 + 1 : 0;
                int o10 = bottom && left ? (y0 + 1) * cols + x0 : 0;
                int o11 = bottom && right ? (y0 + 1) * cols + x0 + 1 : 0;
                int at = r * cols + c;
                for (int ch = 0, base = from; ch < channels; ch++, at += plane, base += plane) {
                    double value = w00 * (in[base + o00] & 0xFF)
                            + w01 * (in[base + o01] & 0xFF)
                            + w10 * (in[base + o10] & 0xFF)
                            + w11 * (in[base + o11] & 0xFF);
                    // Weights sum to at most 1, but rounding could still tip 255 over into 0.
                    out[at] = (byte) Math.min(255, (int) (value + 0.5));
                }
            }
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
