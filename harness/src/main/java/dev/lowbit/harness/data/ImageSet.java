package dev.lowbit.harness.data;

import java.util.Objects;

/**
 * Images as unsigned bytes in channel-first order, with their class labels.
 *
 * @param pixels {@code count * channels * rows * cols} unsigned bytes; not copied (tens of MB)
 * @param labels one class index per image
 * @param channels channels per image
 * @param rows image height
 * @param cols image width
 */
public record ImageSet(byte[] pixels, int[] labels, int channels, int rows, int cols) {

    public ImageSet {
        Objects.requireNonNull(pixels, "pixels");
        Objects.requireNonNull(labels, "labels");
        if ((long) labels.length * channels * rows * cols != pixels.length) {
            throw new IllegalArgumentException("pixels hold " + pixels.length + " bytes, expected " + labels.length
                    + " images of " + channels + "x" + rows + "x" + cols);
        }
    }

    /** The number of images. */
    public int size() {
        return labels.length;
    }

    /** Bytes per image. */
    public int imageSize() {
        return channels * rows * cols;
    }
}
