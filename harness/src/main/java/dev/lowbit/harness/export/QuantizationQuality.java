package dev.lowbit.harness.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.MemoryAccounting;
import dev.lowbit.api.nn.QuantizedWeight;
import java.util.ArrayList;
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

    /** One entry per quantized tensor of a trained model, in parameter order. */
    public static List<QuantizationQuality> of(Block model) {
        Map<Parameter, QuantizedWeight> quantized = MemoryAccounting.quantizedWeights(model);
        List<QuantizationQuality> qualities = new ArrayList<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            QuantizedWeight weight = quantized.get(entry.getValue());
            if (weight == null) {
                continue;
            }
            NDArray shadow = entry.getValue().getArray();
            try (NDManager scope = shadow.getManager().newSubManager()) {
                NDArray detached = shadow.stopGradient();
                detached.attach(scope);
                NDArray scale = weight.scaleOf(detached);
                NDArray codes = weight.codes(detached, scale);
                NDArray quantizedWeights = weight.quantizer().decode(codes, scale);
                double error = detached.sub(quantizedWeights).norm().getFloat() / detached.norm().getFloat();
                int top = weight.quantizer().levels() - 1;
                double outer = codes.eq(0).logicalOr(codes.eq(top)).toType(DataType.FLOAT32, false).mean().getFloat();
                qualities.add(new QuantizationQuality(entry.getKey(), error, outer));
            }
        }
        return qualities;
    }
}
