package dev.lowbit.harness.export;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.format.packing.ModelPacking;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How well Q(W) represents the trained shadow weights, per quantized tensor: the relative error
 * {@code ||W - Q(W)|| / ||W||} and the share of weights on the two outermost levels (zero means the
 * scale wastes the alphabet's outer levels).
 *
 * @param tensor the parameter's name
 * @param relativeError {@code ||W - Q(W)|| / ||W||}
 * @param outermostShare share of weights whose code is the smallest or the largest value
 */
public record QuantizationQuality(String tensor, double relativeError, double outermostShare) {

    /**
     * One entry per quantized tensor of a trained model, in parameter order. Q(W) is what the packed file
     * decodes to ({@link QuantizedTensor#dequantize()}), so groups, zero points and trained levels count as
     * they are stored.
     */
    public static List<QuantizationQuality> of(Block model) {
        PackedModel packed = ModelPacking.pack(model, Map.of());
        Map<String, Parameter> parameters = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            parameters.put(entry.getKey(), entry.getValue());
        }
        List<QuantizationQuality> qualities = new ArrayList<>();
        for (PackedTensor tensor : packed.tensors()) {
            if (!(tensor instanceof QuantizedTensor quantized)) {
                continue;
            }
            float[] weights = parameters.get(quantized.name()).getArray().toFloatArray();
            float[] decoded = quantized.dequantize();
            double error = 0;
            double norm = 0;
            for (int i = 0; i < weights.length; i++) {
                double difference = (double) weights[i] - decoded[i];
                error += difference * difference;
                norm += (double) weights[i] * weights[i];
            }
            int top = quantized.levels() - 1;
            long outer = Arrays.stream(quantized.codes())
                    .filter(code -> code == 0 || code == top)
                    .count();
            qualities.add(new QuantizationQuality(
                    quantized.name(), Math.sqrt(error) / Math.sqrt(norm), (double) outer / weights.length));
        }
        return qualities;
    }
}
