package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.harness.data.Augmentation;
import dev.lowbit.harness.data.ImageSet;
import java.util.Random;

/**
 * Turns image indices into normalised float batches. Built in Java and handed to the engine as one
 * array per batch: DJL's per-sample datasets cost an engine call per image.
 *
 * <p>Pixels become {@code (p / 255 - mean) / std}, with mean and std measured on the training
 * images, so the test set never informs preprocessing.
 */
public final class Batches {

    private final ImageSet images;
    private final float mean;
    private final float std;

    private Batches(ImageSet images, float mean, float std) {
        this.images = images;
        this.mean = mean;
        this.std = std;
    }

    /** Batches of {@code images} with a normalisation measured before, e.g. stored with a model. */
    public static Batches withNormalisation(ImageSet images, float mean, float std) {
        return new Batches(images, mean, std);
    }

    /** The training pixels' mean (in [0, 1]) subtracted from every pixel. */
    public float mean() {
        return mean;
    }

    /** The training pixels' standard deviation every pixel is divided by. */
    public float std() {
        return std;
    }

    /** Normalisation measured on {@code trainIndices} of {@code train}, to be applied to any split. */
    public static Batches normalisedBy(ImageSet train, int[] trainIndices) {
        int size = train.imageSize();
        byte[] pixels = train.pixels();
        double sum = 0;
        double sumOfSquares = 0;
        for (int index : trainIndices) {
            for (int p = index * size, end = p + size; p < end; p++) {
                double value = (pixels[p] & 0xFF) / 255.0;
                sum += value;
                sumOfSquares += value * value;
            }
        }
        double count = (double) trainIndices.length * size;
        double mean = sum / count;
        double std = Math.sqrt(Math.max(sumOfSquares / count - mean * mean, 1e-12));
        return new Batches(train, (float) mean, (float) std);
    }

    /** The same normalisation applied to other images (validation or test). */
    public Batches over(ImageSet other) {
        return new Batches(other, mean, std);
    }

    /** Images {@code order[from..to)} as a {@code (n, channels, rows, cols)} array in {@code manager}. */
    public NDArray images(NDManager manager, int[] order, int from, int to) {
        return images(manager, order, from, to, Augmentation.named("none"), null);
    }

    /**
     * Images {@code order[from..to)}, each transformed by {@code augmentation} with draws from
     * {@code random}, as a {@code (n, channels, rows, cols)} array in {@code manager}.
     */
    public NDArray images(NDManager manager, int[] order, int from, int to, Augmentation augmentation, Random random) {
        float[] batch = values(order, from, to, augmentation, random);
        return manager.create(batch, new Shape(to - from, images.channels(), images.rows(), images.cols()));
    }

    /**
     * Images {@code order[from..to)} as the floats {@link #images(NDManager, int[], int, int)} hands the engine,
     * {@code (n, channels, rows, cols)} row-major: what the packed engine reads, with no engine started.
     */
    public float[] values(int[] order, int from, int to) {
        return values(order, from, to, Augmentation.named("none"), null);
    }

    private float[] values(int[] order, int from, int to, Augmentation augmentation, Random random) {
        int size = images.imageSize();
        float[] batch = new float[(to - from) * size];
        byte[] pixels = images.pixels();
        byte[] transformed = augmentation.isIdentity() ? null : new byte[size];
        float inverse = 1f / (255f * std);
        float offset = mean / std;
        for (int i = from, out = 0; i < to; i++) {
            byte[] source = pixels;
            int start = order[i] * size;
            if (transformed != null) {
                augmentation.apply(images, order[i], random, transformed);
                source = transformed;
                start = 0;
            }
            for (int p = start, end = start + size; p < end; p++) {
                batch[out++] = (source[p] & 0xFF) * inverse - offset;
            }
        }
        return batch;
    }

    /** Labels of {@code order[from..to)} as float32, the form DJL's sparse cross-entropy expects. */
    public NDArray labels(NDManager manager, int[] order, int from, int to) {
        float[] labels = new float[to - from];
        for (int i = from; i < to; i++) {
            labels[i - from] = images.labels()[order[i]];
        }
        return manager.create(labels);
    }

    /** The label of image {@code index}. */
    public int label(int index) {
        return images.labels()[index];
    }
}
