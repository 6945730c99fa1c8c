package dev.lowbit.architectures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Quantizer;

/**
 * One pre-norm transformer encoder block over {@code (batch, tokens, dim)}:
 * <pre>
 *   x = x + Attention(LayerNorm(x))
 *   x = x + W2 GELU(W1 LayerNorm(x) + b1) + b2        W1: dim -> mlpDim, W2: mlpDim -> dim
 * </pre>
 * The five weight matrices of attention and MLP go through the quantizer; the layer norms (over
 * each token's {@code dim} features) and all biases stay fp32. The output has the input's shape.
 */
public final class TransformerEncoderBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final LayerNorm attentionNorm;
    private final MultiHeadSelfAttention attention;
    private final LayerNorm mlpNorm;
    private final QuantizedLinear expand;
    private final QuantizedLinear contract;

    /**
     * @param dim features per token
     * @param heads attention heads; {@code dim} must be a multiple
     * @param mlpDim hidden units of the MLP
     * @param quantizer the quantizer of every weight matrix in the block
     */
    public TransformerEncoderBlock(int dim, int heads, int mlpDim, Quantizer quantizer) {
        super(VERSION);
        this.attentionNorm = addChildBlock("attentionNorm", tokenNorm());
        this.attention = addChildBlock("attention", new MultiHeadSelfAttention(dim, heads, quantizer));
        this.mlpNorm = addChildBlock("mlpNorm", tokenNorm());
        this.expand = addChildBlock("mlpExpand", new QuantizedLinear(mlpDim, quantizer));
        this.contract = addChildBlock("mlpContract", new QuantizedLinear(dim, quantizer));
    }

    /** A layer norm over the last axis of {@code (batch, tokens, dim)}: each token on its own. */
    static LayerNorm tokenNorm() {
        return LayerNorm.builder().axis(2).build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        NDList normed = attentionNorm.forward(parameterStore, inputs, training);
        x = x.add(attention.forward(parameterStore, normed, training).singletonOrThrow());
        NDList hidden =
                expand.forward(parameterStore, mlpNorm.forward(parameterStore, new NDList(x), training), training);
        NDList activated = new NDList(Activation.gelu(hidden.singletonOrThrow()));
        return new NDList(
                x.add(contract.forward(parameterStore, activated, training).singletonOrThrow()));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        attentionNorm.initialize(manager, dataType, inputShapes);
        attention.initialize(manager, dataType, inputShapes);
        mlpNorm.initialize(manager, dataType, inputShapes);
        expand.initialize(manager, dataType, inputShapes);
        contract.initialize(manager, dataType, expand.getOutputShapes(inputShapes));
    }
}
