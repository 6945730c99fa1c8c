package dev.lowbit.architectures;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.spi.Quantizer;

/**
 * The input stage of a vision transformer: cuts {@code (batch, channels, height, width)} images into
 * non-overlapping {@code patch x patch} squares, projects each to {@code dim} features with one
 * quantized convolution (kernel = stride = patch), prepends a learned class token and adds learned
 * position embeddings. Output: {@code (batch, 1 + patches, dim)}, the class token first.
 *
 * <p>The class token and the position embeddings are fp32 ({@link Parameter.Type#OTHER}, normal
 * with standard deviation 0.02 as in ViT); only the projection kernel goes through the quantizer.
 */
public final class PatchEmbedding extends AbstractBlock {

    private static final byte VERSION = 1;
    private static final float EMBEDDING_STD = 0.02f;

    private final int dim;
    private final int patch;
    private final QuantizedConv2d projection;
    private final Parameter classToken;
    private final Parameter positions;

    /**
     * @param dim features per token
     * @param patch side of a square patch; height and width must be multiples of it
     * @param quantizer the quantizer of the projection kernel
     */
    public PatchEmbedding(int dim, int patch, Quantizer quantizer) {
        super(VERSION);
        this.dim = dim;
        this.patch = patch;
        this.projection = addChildBlock("projection", new QuantizedConv2d(dim, patch, patch, 0, quantizer));
        this.classToken = addParameter(embedding("classToken"));
        this.positions = addParameter(embedding("positionEmbedding"));
    }

    private static Parameter embedding(String name) {
        return Parameter.builder()
                .setName(name)
                .setType(Parameter.Type.OTHER)
                .optInitializer(new NormalInitializer(EMBEDDING_STD))
                .build();
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray images = inputs.singletonOrThrow();
        NDManager scope = images.getManager();
        NDArray grid =
                projection.forward(parameterStore, inputs, training, params).singletonOrThrow();
        long batch = grid.getShape().get(0);
        // (batch, dim, rows, cols) -> (batch, rows * cols, dim): one token per patch, row-major.
        NDArray patches = grid.reshape(batch, dim, -1).transpose(0, 2, 1);
        NDArray token = parameterStore
                .getValue(classToken, images.getDevice(), training)
                .broadcast(batch, 1, dim);
        // Computed from a parameter alone, so it would belong to the parameters' long-lived
        // manager and live for the whole training; the batch owns it instead.
        token.attach(scope);
        NDArray tokens = NDArrays.concat(new NDList(token, patches), 1);
        return new NDList(tokens.add(parameterStore.getValue(positions, images.getDevice(), training)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputs) {
        Shape input = inputs[0];
        return new Shape[] {new Shape(input.get(0), tokens(input), dim)};
    }

    private long tokens(Shape input) {
        return 1 + (input.get(2) / patch) * (input.get(3) / patch);
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        classToken.setShape(new Shape(1, 1, dim));
        positions.setShape(new Shape(1, tokens(inputShapes[0]), dim));
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        projection.initialize(manager, dataType, inputShapes);
    }

    @Override
    public String toString() {
        return "PatchEmbedding(dim=" + dim + ", patch=" + patch + ", " + projection + ")";
    }
}
