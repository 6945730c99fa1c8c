package dev.lowbit.inference;

import java.util.List;

/** One family's layer sequence over a file's tensors. */
abstract class Graph {

    /** The logits of images {@code first .. first + count} of {@code images}, {@code count x classes}. */
    abstract float[] forward(float[] images, int first, int count, Lanes lanes);

    /** The bytes of every weight the graph holds. */
    abstract long bytes();

    /** One line per layer at batch {@code batch}. */
    abstract List<String> describe(int batch);
}
