package dev.lowbit.architectures;

/**
 * {@code vit-small}: dim 48, depth 3, 3 heads, MLP 96. On 1x28x28 inputs (7x7 patches) with 10
 * classes it has 60,730 parameters, of which 58,128 are quantized weights (patch kernel 2,352,
 * 3 x 18,432 in the blocks, classifier 480); on 3x32x32 (8x8 patches) 67,594.
 */
public final class VitSmallArchitecture extends VitArchitecture {

    /** The registered instance's constructor, for {@link java.util.ServiceLoader}. */
    public VitSmallArchitecture() {
        super("vit-small", 48, 3, 3, 96);
    }
}
