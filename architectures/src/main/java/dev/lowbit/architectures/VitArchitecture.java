package dev.lowbit.architectures;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.LambdaBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.initializer.XavierInitializer;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;

/**
 * A vision transformer (Dosovitskiy et al. 2021) for square {@code (channels, size, size)} images
 * with {@code size} divisible by 4:
 * <pre>
 *   patches  a 4x4 grid, patch = size / 4 (7 on 28x28, 8 on 32x32), projected to dim by one
 *            quantized conv (kernel = stride = patch); class token prepended, position embeddings added
 *   depth x  pre-norm encoder block: multi-head self-attention and a GELU MLP, each residual
 *   head     layer norm of the class token, quantized linear classifier
 * </pre>
 * Every weight matrix and the patch kernel go through the quantizer (the patch kernel through
 * {@link LayerPolicy#first}, the classifier through {@link LayerPolicy#last}); biases, layer norms,
 * the class token and the position embeddings stay fp32.
 */
public abstract class VitArchitecture implements Architecture {

    /** Patches per side: the image is cut into a GRID x GRID grid. */
    static final int GRID = 4;

    private final String id;
    private final int dim;
    private final int depth;
    private final int heads;
    private final int mlpDim;

    /**
     * @param id the stable id
     * @param dim features per token
     * @param depth the number of encoder blocks
     * @param heads attention heads; {@code dim} must be a multiple
     * @param mlpDim hidden units of each block's MLP
     */
    protected VitArchitecture(String id, int dim, int depth, int heads, int mlpDim) {
        if (dim < 1 || depth < 1 || heads < 1 || mlpDim < 1 || dim % heads != 0) {
            throw new IllegalArgumentException(
                    "dim, depth, heads and mlpDim must be >= 1 and dim a multiple of heads, got " + dim + ", " + depth
                            + ", " + heads + ", " + mlpDim);
        }
        this.id = PersistedIds.requireValid(id);
        this.dim = dim;
        this.depth = depth;
        this.heads = heads;
        this.mlpDim = mlpDim;
    }

    @Override
    public String id() {
        return id;
    }

    /**
     * The attention heads of every encoder block: the one shape no weight tensor records (the packed engine
     * needs it to split the attention's width).
     */
    public int heads() {
        return heads;
    }

    @Override
    public String description() {
        return "ViT: 4x4 patches, dim " + dim + ", depth " + depth + ", heads " + heads + ", mlp " + mlpDim
                + ", pre-norm, class token";
    }

    @Override
    public Block build(Shape inputShape, int classes, Quantizer quantizer, LayerPolicy policy) {
        if (inputShape.dimension() != 3
                || inputShape.get(1) != inputShape.get(2)
                || inputShape.get(1) % GRID != 0
                || inputShape.get(1) < GRID) {
            throw new IllegalArgumentException(
                    id + " needs square (channels, height, width) input with height and width" + " divisible by " + GRID
                            + " (a " + GRID + "x" + GRID + " grid of patches), got " + inputShape);
        }
        int patch = (int) (inputShape.get(1) / GRID);
        SequentialBlock net = new SequentialBlock().add(new PatchEmbedding(dim, patch, policy.first(quantizer)));
        for (int i = 0; i < depth; i++) {
            net.add(new TransformerEncoderBlock(dim, heads, mlpDim, quantizer));
        }
        // The final layer norm works on each token alone and only the class token is read, so
        // normalising just that token gives the same logits for a 17th of the work.
        net.add(LambdaBlock.singleton(tokens -> tokens.get(":, 0"), "classToken"))
                .add(LayerNorm.builder().axis(1).build())
                .add(new QuantizedLinear(classes, policy.last(quantizer)));
        // Glorot, as ViT implementations do: the harness's ReLU-style He default is too large for
        // attention logits and made training diverge.
        net.setInitializer(new XavierInitializer(), Parameter.Type.WEIGHT);
        return net;
    }
}
