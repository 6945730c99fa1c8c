package dev.lowbit.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code VitArchitecture}: a patch convolution (kernel = stride = image / 4, no padding) to {@code dim}
 * features per patch, the class token first and position embeddings added; pre-norm encoder blocks
 * ({@code x += attention(LN(x))}, {@code x += W2 GELU(W1 LN(x))}); the class token's layer norm and the
 * classifier. One image at a time, its tokens the columns of every product.
 */
final class VitGraph extends Graph {

    /** Patches per side, as {@code VitArchitecture.GRID}. */
    private static final int GRID = 4;

    /** One encoder block's weights. */
    private record Block(
            float[] attentionGamma,
            float[] attentionBeta,
            Dense query,
            Dense key,
            Dense value,
            Dense output,
            float[] mlpGamma,
            float[] mlpBeta,
            Dense expand,
            Dense contract) {}

    private final int channels;
    private final int size;
    private final int patch;
    private final int dim;
    private final int heads;
    private final int tokens;
    private final int classes;
    private final float[] classToken;
    private final float[] positions;
    private final Dense projection;
    private final List<Block> blocks = new ArrayList<>();
    private final float[] headGamma;
    private final float[] headBeta;
    private final Dense classifier;

    VitGraph(TensorCursor tensors, NetworkSpec spec) {
        long[] input = spec.input();
        this.channels = (int) input[0];
        this.size = (int) input[1];
        if (input[2] != size || size % GRID != 0) {
            throw new IllegalArgumentException("The vit family takes square images with a side divisible by " + GRID
                    + ", got " + input[1] + "x" + input[2]);
        }
        this.patch = size / GRID;
        this.tokens = 1 + GRID * GRID;
        this.classes = spec.classes();
        this.heads = spec.heads();
        long[] tokenShape = tensors.nextShape();
        if (tokenShape.length != 3) {
            throw new IllegalArgumentException("The vit family starts with its class token (1, 1, dim), but the first"
                    + " tensor has shape " + java.util.Arrays.toString(tokenShape));
        }
        this.dim = (int) tokenShape[2];
        if (dim % heads != 0) {
            throw new IllegalArgumentException("Width " + dim + " is not a multiple of the " + heads + " heads");
        }
        this.classToken = tensors.values("_classToken", dim, "the class token");
        this.positions = tensors.values("_positionEmbedding", tokens * dim, "the position embeddings");
        this.projection = Dense.convolution(tensors, dim, channels, patch, "the patch projection");
        while (tensors.nextEndsWith("attentionNorm_gamma")) {
            String block = "encoder block " + (blocks.size() + 1);
            float[] attentionGamma = tensors.values("_gamma", dim, block + "'s attention norm gamma");
            float[] attentionBeta = tensors.values("_beta", dim, block + "'s attention norm beta");
            Dense query = Dense.linear(tensors, dim, dim, block + "'s query projection");
            Dense key = Dense.linear(tensors, dim, dim, block + "'s key projection");
            Dense value = Dense.linear(tensors, dim, dim, block + "'s value projection");
            Dense output = Dense.linear(tensors, dim, dim, block + "'s output projection");
            float[] mlpGamma = tensors.values("_gamma", dim, block + "'s MLP norm gamma");
            float[] mlpBeta = tensors.values("_beta", dim, block + "'s MLP norm beta");
            Dense expand = Dense.linear(tensors, -1, dim, block + "'s MLP expansion");
            Dense contract = Dense.linear(tensors, dim, expand.rows(), block + "'s MLP contraction");
            blocks.add(new Block(
                    attentionGamma, attentionBeta, query, key, value, output, mlpGamma, mlpBeta, expand, contract));
        }
        this.headGamma = tensors.values("_gamma", dim, "the final layer norm's gamma");
        this.headBeta = tensors.values("_beta", dim, "the final layer norm's beta");
        this.classifier = Dense.linear(tensors, -1, dim, "the classifier");
        // A tensor left over first: it names where the file parts from the graph, better than a count would.
        tensors.requireDone();
        Classes.require(classifier, spec, "the classifier");
    }

    @Override
    float[] forward(float[] images, int first, int count, Lanes lanes) {
        float[] logits = new float[count * classes];
        int imageValues = channels * size * size;
        int patches = GRID * GRID;
        int patchStride = lanes.stride(patches);
        int stride = lanes.stride(tokens);
        for (int r = 0; r < count; r++) {
            float[] image =
                    java.util.Arrays.copyOfRange(images, (first + r) * imageValues, (first + r + 1) * imageValues);
            projection.quantizeImage(image, channels, size * size);
            float[] columns = Ops.unfold(image, channels, size, size, patch, patch, 0, GRID, GRID, patchStride);
            float[] grid = projection.applyToColumns(columns, patches, patchStride, lanes);
            // Token 0 is the class token, token 1 + p patch p (row-major); then the position embeddings.
            float[] x = new float[dim * stride];
            for (int d = 0; d < dim; d++) {
                x[d * stride] = classToken[d] + positions[d];
                for (int p = 0; p < patches; p++) {
                    x[d * stride + 1 + p] = grid[d * patchStride + p] + positions[(1 + p) * dim + d];
                }
            }
            for (Block block : blocks) {
                float[] normed = Ops.layerNorm(x, dim, tokens, stride, block.attentionGamma, block.attentionBeta);
                float[] attended = attention(block, normed, stride, lanes);
                add(x, attended, stride);
                normed = Ops.layerNorm(x, dim, tokens, stride, block.mlpGamma, block.mlpBeta);
                float[] hidden = block.expand.apply(normed, tokens, stride, lanes);
                Ops.gelu(hidden, block.expand.rows(), tokens, stride);
                add(x, block.contract.apply(hidden, tokens, stride, lanes), stride);
            }
            float[] token = new float[dim];
            for (int d = 0; d < dim; d++) {
                token[d] = x[d * stride];
            }
            float[] normed = Ops.layerNorm(token, dim, 1, 1, headGamma, headBeta);
            System.arraycopy(classifier.apply(normed, 1, 1, lanes), 0, logits, r * classes, classes);
        }
        return logits;
    }

    /** {@code x += y} over the real tokens. */
    private void add(float[] x, float[] y, int stride) {
        for (int d = 0; d < dim; d++) {
            for (int i = d * stride, end = i + tokens; i < end; i++) {
                x[i] += y[i];
            }
        }
    }

    /** Multi-head self-attention: {@code softmax(Q_h K_h^T / sqrt(dim / heads)) V_h} per head, then the output projection. */
    private float[] attention(Block block, float[] x, int stride, Lanes lanes) {
        float[] q = block.query.apply(x, tokens, stride, lanes);
        float[] k = block.key.apply(x, tokens, stride, lanes);
        float[] v = block.value.apply(x, tokens, stride, lanes);
        int headDim = dim / heads;
        float scale = (float) (1 / Math.sqrt((double) dim / heads));
        float[] mixed = new float[dim * stride];
        float[] weights = new float[tokens];
        for (int h = 0; h < heads; h++) {
            int firstFeature = h * headDim;
            for (int i = 0; i < tokens; i++) {
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < tokens; j++) {
                    float dot = 0;
                    for (int f = firstFeature; f < firstFeature + headDim; f++) {
                        dot += q[f * stride + i] * k[f * stride + j];
                    }
                    weights[j] = dot * scale;
                    max = Math.max(max, weights[j]);
                }
                float total = 0;
                for (int j = 0; j < tokens; j++) {
                    weights[j] = (float) Math.exp(weights[j] - max);
                    total += weights[j];
                }
                for (int f = firstFeature; f < firstFeature + headDim; f++) {
                    float sum = 0;
                    for (int j = 0; j < tokens; j++) {
                        sum += weights[j] * v[f * stride + j];
                    }
                    mixed[f * stride + i] = sum / total;
                }
            }
        }
        return block.output.apply(mixed, tokens, stride, lanes);
    }

    @Override
    long bytes() {
        long bytes = 4L * (classToken.length + positions.length + headGamma.length + headBeta.length)
                + projection.bytes()
                + classifier.bytes();
        for (Block block : blocks) {
            bytes += 4L
                            * (block.attentionGamma.length
                                    + block.attentionBeta.length
                                    + block.mlpGamma.length
                                    + block.mlpBeta.length)
                    + block.query.bytes()
                    + block.key.bytes()
                    + block.value.bytes()
                    + block.output.bytes()
                    + block.expand.bytes()
                    + block.contract.bytes();
        }
        return bytes;
    }

    @Override
    List<String> describe(int batch) {
        List<String> lines = new ArrayList<>();
        lines.add(projection.describe("patch projection (" + patch + "x" + patch + ")", GRID * GRID));
        for (int i = 0; i < blocks.size(); i++) {
            Block block = blocks.get(i);
            lines.add(block.query.describe("block " + (i + 1) + " query/key/value/output", tokens));
            lines.add(block.expand.describe("block " + (i + 1) + " MLP expansion", tokens));
            lines.add(block.contract.describe("block " + (i + 1) + " MLP contraction", tokens));
        }
        lines.add(classifier.describe("classifier", 1));
        return lines;
    }
}
