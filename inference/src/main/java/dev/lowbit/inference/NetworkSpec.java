package dev.lowbit.inference;

import java.util.Arrays;

/**
 * Which graph the packed engine builds around a file's tensors: the family (its layer sequence), the image
 * shape it takes and the classes it scores. Widths, depths and kernel shapes are read from the tensors
 * themselves; only what no tensor records is given here (a transformer's number of attention heads).
 *
 * @param family the layer sequence, one of lowbit's built-in architecture families
 * @param input the image shape {@code (channels, height, width)}; copied in
 * @param classes the number of classes the last layer scores
 * @param heads attention heads of a {@link Family#VIT} (dividing its width); 0 for the other families
 */
public record NetworkSpec(Family family, long[] input, int classes, int heads) {

    /** lowbit's built-in architecture families, each the graph its {@code Architecture} builds in DJL. */
    public enum Family {
        /** Flatten, then linear layers with ReLU between them ({@code FcnnArchitecture}). */
        FCNN,
        /** Stages of 3x3 "same" convolution, batch norm, ReLU and 2x2 max pooling, then linear layers ({@code CnnArchitecture}). */
        CNN,
        /** Patch embedding, pre-norm encoder blocks, layer norm of the class token, a linear classifier ({@code VitArchitecture}). */
        VIT
    }

    /** Checks the shape, the classes and the heads. */
    public NetworkSpec {
        if (family == null) {
            throw new IllegalArgumentException("A network needs a family");
        }
        if (input == null || input.length != 3 || Arrays.stream(input).anyMatch(d -> d < 1 || d > 1 << 16)) {
            throw new IllegalArgumentException(
                    "A network takes (channels, height, width) images, got " + Arrays.toString(input));
        }
        input = input.clone();
        if (classes < 1) {
            throw new IllegalArgumentException("A network scores at least one class, got " + classes);
        }
        if ((family == Family.VIT) != (heads > 0)) {
            throw new IllegalArgumentException(family + " takes "
                    + (family == Family.VIT ? "a positive number of" : "no") + " heads, got " + heads);
        }
    }

    @Override
    public long[] input() {
        return input.clone();
    }

    /** The number of floats one image holds. */
    public int imageValues() {
        return Math.toIntExact(input[0] * input[1] * input[2]);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NetworkSpec that
                && family == that.family
                && Arrays.equals(input, that.input)
                && classes == that.classes
                && heads == that.heads;
    }

    @Override
    public int hashCode() {
        return (family.hashCode() * 31 + Arrays.hashCode(input)) * 31 + classes * 17 + heads;
    }

    @Override
    public String toString() {
        return family + Arrays.toString(input) + "->" + classes + (heads > 0 ? ", heads " + heads : "");
    }
}
