package dev.lowbit.architectures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Quantizer;
import java.util.List;

/**
 * Multi-head self-attention over {@code (batch, tokens, dim)} with four quantized projections
 * (query, key, value, output; each {@code dim -> dim} with an fp32 bias):
 * <pre>
 *   Q, K, V  = x Wq^T + bq, x Wk^T + bk, x Wv^T + bv      split into h heads of dim / h features
 *   head_i   = softmax(Q_i K_i^T / sqrt(dim / h)) V_i
 *   output   = concat(head_1 .. head_h) Wo^T + bo
 * </pre>
 * The output has the input's shape. No dropout: the networks are small and every op costs time on CPU.
 */
public final class MultiHeadSelfAttention extends AbstractBlock {

    private static final byte VERSION = 1;

    private final int dim;
    private final int heads;
    private final float invSqrtHeadDim;
    private final QuantizedLinear query;
    private final QuantizedLinear key;
    private final QuantizedLinear value;
    private final QuantizedLinear output;

    /**
     * @param dim features per token, divisible by {@code heads}
     * @param heads the number of attention heads
     * @param quantizer the quantizer of all four projection matrices
     */
    public MultiHeadSelfAttention(int dim, int heads, Quantizer quantizer) {
        super(VERSION);
        if (heads < 1 || dim % heads != 0) {
            throw new IllegalArgumentException(
                    "dim must be a multiple of heads >= 1, got dim " + dim + " and heads " + heads);
        }
        this.dim = dim;
        this.heads = heads;
        this.invSqrtHeadDim = (float) (1 / Math.sqrt((double) dim / heads));
        this.query = addChildBlock("query", new QuantizedLinear(dim, quantizer));
        this.key = addChildBlock("key", new QuantizedLinear(dim, quantizer));
        this.value = addChildBlock("value", new QuantizedLinear(dim, quantizer));
        this.output = addChildBlock("output", new QuantizedLinear(dim, quantizer));
    }

    /**
     * The projections in the order query, key, value, output.
     *
     * @return the four quantized projections
     */
    public List<QuantizedLinear> projections() {
        return List.of(query, key, value, output);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        Shape shape = inputs.singletonOrThrow().getShape();
        long batch = shape.get(0);
        long tokens = shape.get(1);
        long headDim = dim / heads;
        // (batch, tokens, dim) -> (batch, heads, tokens, headDim); matMul batches over the first two axes.
        NDArray q = project(query, parameterStore, inputs, training)
                .reshape(batch, tokens, heads, headDim)
                .transpose(0, 2, 1, 3);
        // Keys go straight to (batch, heads, headDim, tokens): K^T without a further transpose.
        NDArray kT = project(key, parameterStore, inputs, training)
                .reshape(batch, tokens, heads, headDim)
                .transpose(0, 2, 3, 1);
        NDArray v = project(value, parameterStore, inputs, training)
                .reshape(batch, tokens, heads, headDim)
                .transpose(0, 2, 1, 3);
        // Not mul(invSqrtHeadDim): DJL wraps a Java number in an array over a Java direct buffer
        // and closes that array at once, but the gradient tape keeps it for backward; when the
        // garbage collector freed the buffer in between, backward read freed memory (query and key
        // gradients ~1e35, a ViT run's results depending on GC timing). full() makes PyTorch own the
        // memory, which the tape then keeps alive; the input's manager (the batch's) closes it.
        NDArray scale = inputs.singletonOrThrow().getManager().full(new Shape(), invSqrtHeadDim);
        NDArray weights = q.matMul(kT).mul(scale).softmax(-1);
        NDArray mixed = weights.matMul(v).transpose(0, 2, 1, 3).reshape(batch, tokens, dim);
        return output.forward(parameterStore, new NDList(mixed), training, params);
    }

    private static NDArray project(
            QuantizedLinear projection, ParameterStore parameterStore, NDList inputs, boolean training) {
        return projection.forward(parameterStore, inputs, training).singletonOrThrow();
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        return new Shape[] {inputs[0]};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        for (QuantizedLinear projection : projections()) {
            projection.initialize(manager, dataType, inputShapes);
        }
    }

    @Override
    public String toString() {
        return "MultiHeadSelfAttention(dim=" + dim + ", heads=" + heads + ", "
                + query.quantizedWeight().quantizer().spec() + ")";
    }
}
