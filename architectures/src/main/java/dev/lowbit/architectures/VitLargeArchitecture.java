package dev.lowbit.architectures;

/**
 * {@code vit-large}: dim 128, depth 6, 4 heads, MLP 256. On 1x28x28 inputs (7x7 patches) with 10
 * classes it has 805,130 parameters (13.3x vit-small's 60,730), of which 793,984 are quantized
 * weights (patch kernel 6,272, 6 x 131,072 in the blocks, classifier 1,280); on 3x32x32 823,434.
 */
public final class VitLargeArchitecture extends VitArchitecture {

    /** The registered instance's constructor, for {@link java.util.ServiceLoader}. */
    public VitLargeArchitecture() {
        super("vit-large", 128, 6, 4, 256);
    }
}
