package dev.lowbit.harness.bench;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;

/**
 * Multiply-add FLOPs of one image's forward pass through an initialised model, counted per layer
 * from the shapes the model was initialised with (batch axis first):
 * <pre>
 *   linear  (weight out x in):              2 * in * out * rows    rows = input elements / in / batch (tokens)
 *   conv    (weight Cout x Cin/g x k x k):  2 * Cin/g * k^2 * Cout * Hout * Wout
 *   self-attention (tokens T, width d):     2 * T^2 * d (scores Q K^T) + 2 * T^2 * d (weights x V)
 * </pre>
 * Element-wise work (activations, normalisation, pooling, softmax, bias adds) is not counted: it is
 * a few operations per activation against hundreds per weight, and the bound is set by the matrix
 * products. A training step costs ~3x the forward FLOPs: the forward, and two products of the same
 * size in the backward (the gradient for the input and for the weight).
 */
public final class ModelFlops {

    /** Forward+backward FLOPs of a training step per FLOP of the forward pass. */
    public static final int TRAINING_FACTOR = 3;

    private ModelFlops() {}

    /** The forward FLOPs of one image through {@code block} (initialised). */
    public static long forwardPerImage(Block block) {
        long flops = 0;
        Parameter weight = directWeight(block);
        if (weight != null && weight.getArray() != null) {
            Shape w = weight.getArray().getShape();
            Shape[] inputs = block.getInputShapes();
            long batch = inputs[0].get(0);
            if (w.dimension() == 2) {
                long rows = inputs[0].size() / inputs[0].get(inputs[0].dimension() - 1) / batch;
                flops += 2 * w.size() * rows;
            } else if (w.dimension() >= 3) {
                Shape output = block.getOutputShapes(inputs)[0];
                long spatial = output.size() / output.get(0) / output.get(1);
                flops += 2 * w.size() * spatial;
            }
        }
        if (block.getClass().getSimpleName().equals("MultiHeadSelfAttention")) {
            Shape input = block.getInputShapes()[0];
            long tokens = input.get(1);
            long width = input.get(2);
            flops += 4 * tokens * tokens * width;
        }
        for (Pair<String, Block> child : block.getChildren()) {
            flops += forwardPerImage(child.getValue());
        }
        return flops;
    }

    /** The block's own (not its children's) parameter named {@code weight}, or null. */
    private static Parameter directWeight(Block block) {
        for (Pair<String, Parameter> entry : block.getDirectParameters()) {
            if (entry.getKey().equals("weight") && entry.getValue().getType() == Parameter.Type.WEIGHT) {
                return entry.getValue();
            }
        }
        return null;
    }
}
