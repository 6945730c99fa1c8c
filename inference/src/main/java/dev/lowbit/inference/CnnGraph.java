package dev.lowbit.inference;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code CnnArchitecture}: stages of a "same" convolution (stride 1, padding kernel / 2) with batch norm folded
 * into its output affine, ReLU and 2x2 max pooling; then flatten and linear layers with ReLU between. One image
 * at a time: a convolution's output positions are the columns its kernels run over.
 */
final class CnnGraph extends Graph {

    /** One convolution stage and the shape of its input. */
    private record Stage(Dense convolution, int channels, int height, int width, int kernel) {}

    private final List<Stage> stages = new ArrayList<>();
    private final List<Dense> linears = new ArrayList<>();
    private final int imageValues;
    private final int classes;

    CnnGraph(TensorCursor tensors, NetworkSpec spec) {
        long[] input = spec.input();
        int channels = (int) input[0];
        int height = (int) input[1];
        int width = (int) input[2];
        this.imageValues = spec.imageValues();
        this.classes = spec.classes();
        while (tensors.nextEndsWith("_weight") && tensors.nextHasRank(4)) {
            long[] shape = tensors.nextShape();
            int kernel = (int) shape[2];
            if (shape[3] != kernel || kernel % 2 == 0) {
                throw new IllegalArgumentException(
                        "A convolution of the cnn family has an odd square kernel, got " + shape[2] + "x" + shape[3]);
            }
            if (height < 2 || width < 2) {
                throw new IllegalArgumentException("Convolution stage " + (stages.size() + 1) + " gets a " + height
                        + "x" + width + " image, too small to pool");
            }
            Dense convolution =
                    Dense.convolutionWithBatchNorm(tensors, channels, kernel, "convolution " + (stages.size() + 1));
            stages.add(new Stage(convolution, channels, height, width, kernel));
            channels = convolution.rows();
            height /= 2;
            width /= 2;
        }
        if (stages.isEmpty()) {
            throw new IllegalArgumentException(
                    "The cnn family starts with a convolution, but the first tensor has shape "
                            + java.util.Arrays.toString(tensors.nextShape()));
        }
        int features = channels * height * width;
        do {
            Dense layer = Dense.linear(tensors, -1, features, "linear layer " + (linears.size() + 1));
            linears.add(layer);
            features = layer.rows();
        } while (tensors.nextEndsWith("_weight"));
        // A tensor left over first: it names where the file parts from the graph, better than a count would.
        tensors.requireDone();
        Classes.require(linears.get(linears.size() - 1), spec, "the last linear layer");
    }

    @Override
    float[] forward(float[] images, int first, int count, Lanes lanes) {
        float[] logits = new float[count * classes];
        for (int r = 0; r < count; r++) {
            float[] x = java.util.Arrays.copyOfRange(images, (first + r) * imageValues, (first + r + 1) * imageValues);
            for (Stage stage : stages) {
                int positions = stage.height * stage.width;
                int stride = lanes.stride(positions);
                stage.convolution.quantizeImage(x, stage.channels, positions);
                float[] columns = Ops.unfold(
                        x,
                        stage.channels,
                        stage.height,
                        stage.width,
                        stage.kernel,
                        1,
                        stage.kernel / 2,
                        stage.height,
                        stage.width,
                        stride);
                int filters = stage.convolution.rows();
                float[] y = stage.convolution.applyToColumns(columns, positions, stride, lanes);
                Ops.relu(y, filters, positions, stride, lanes);
                x = Ops.maxPool(y, filters, stage.height, stage.width, stride);
            }
            for (int i = 0; i < linears.size(); i++) {
                Dense layer = linears.get(i);
                x = layer.apply(x, 1, 1, lanes);
                if (i < linears.size() - 1) {
                    Ops.relu(x, layer.rows(), 1, 1, lanes);
                }
            }
            System.arraycopy(x, 0, logits, r * classes, classes);
        }
        return logits;
    }

    @Override
    long bytes() {
        return stages.stream().mapToLong(s -> s.convolution.bytes()).sum()
                + linears.stream().mapToLong(Dense::bytes).sum();
    }

    @Override
    List<String> describe(int batch) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < stages.size(); i++) {
            Stage stage = stages.get(i);
            lines.add(stage.convolution.describe(
                    "convolution " + (i + 1) + " (" + stage.kernel + "x" + stage.kernel + ", batch norm folded)",
                    stage.height * stage.width));
        }
        for (int i = 0; i < linears.size(); i++) {
            lines.add(linears.get(i).describe("linear " + (i + 1), 1));
        }
        return lines;
    }
}
