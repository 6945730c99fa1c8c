package dev.lowbit.inference;

import java.util.ArrayList;
import java.util.List;

/** {@code FcnnArchitecture}: flatten, linear layers with ReLU between, the last one scoring the classes. */
final class FcnnGraph extends Graph {

    private final List<Dense> layers = new ArrayList<>();
    private final int inputs;
    private final int classes;

    FcnnGraph(TensorCursor tensors, NetworkSpec spec) {
        this.inputs = spec.imageValues();
        this.classes = spec.classes();
        int width = inputs;
        do {
            Dense layer = Dense.linear(tensors, -1, width, "linear layer " + (layers.size() + 1));
            layers.add(layer);
            width = layer.rows();
        } while (tensors.nextEndsWith("_weight"));
        // A tensor left over first: it names where the file parts from the graph, better than a count would.
        tensors.requireDone();
        Classes.require(layers.get(layers.size() - 1), spec, "the last linear layer");
    }

    @Override
    float[] forward(float[] images, int first, int count, Lanes lanes) {
        // The whole chunk at once, feature-major: column r is image first + r.
        int stride = lanes.stride(count);
        float[] x = new float[inputs * stride];
        for (int r = 0; r < count; r++) {
            int image = (first + r) * inputs;
            for (int j = 0; j < inputs; j++) {
                x[j * stride + r] = images[image + j];
            }
        }
        for (int i = 0; i < layers.size(); i++) {
            Dense layer = layers.get(i);
            x = layer.apply(x, count, stride, lanes);
            if (i < layers.size() - 1) {
                Ops.relu(x, layer.rows(), count, stride, lanes);
            }
        }
        float[] logits = new float[count * classes];
        for (int r = 0; r < count; r++) {
            for (int o = 0; o < classes; o++) {
                logits[r * classes + o] = x[o * stride + r];
            }
        }
        return logits;
    }

    @Override
    long bytes() {
        return layers.stream().mapToLong(Dense::bytes).sum();
    }

    @Override
    List<String> describe(int batch) {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            lines.add(layers.get(i).describe("linear " + (i + 1), batch));
        }
        return lines;
    }
}
