package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.spi.Alphabet;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches the quantized weights between epochs: how many changed level (flip ratio), how the
 * levels are occupied per tensor, and how many shadow weights sit beyond the outermost level
 * (where the straight-through gradient keeps pushing without changing the forward pass).
 */
final class StabilityMonitor implements AutoCloseable {

    /** The diagnostics of one epoch; the doubles are null when nothing is quantized. */
    record Diagnostics(Double flipRatio, Double beyondOutermostShare, Map<String, List<Long>> levelOccupancy) {}

    private record Watched(String name, QuantizedWeight weight) {}

    private final List<Watched> watched = new ArrayList<>();
    private final Block block;
    private final NDManager snapshots;
    private final Map<String, NDArray> previousCodes = new LinkedHashMap<>();

    StabilityMonitor(Block block, NDManager parent) {
        this.block = block;
        this.snapshots = parent.newSubManager();
        Map<Parameter, QuantizedWeight> quantized = QuantizedBlocks.weights(block);
        for (Pair<String, Parameter> entry : block.getParameters()) {
            QuantizedWeight weight = quantized.get(entry.getValue());
            if (weight != null) {
                watched.add(new Watched(entry.getKey(), weight));
            }
        }
    }

    /** Remembers the current levels, the reference for the next epoch's flip ratio. */
    void remember() {
        for (Watched w : watched) {
            try (NDManager scope = snapshots.newSubManager()) {
                NDArray codes = codesOf(w, scope);
                codes.attach(snapshots);
                NDArray old = previousCodes.put(w.name(), codes);
                if (old != null) {
                    old.close();
                }
            }
        }
    }

    /** Measures the weights now against the remembered levels, then remembers the current ones. */
    Diagnostics measure() {
        if (watched.isEmpty()) {
            return new Diagnostics(null, null, Map.of());
        }
        long weights = 0;
        long flipped = 0;
        long beyond = 0;
        Map<String, List<Long>> occupancy = new LinkedHashMap<>();
        for (Watched w : watched) {
            try (NDManager scope = snapshots.newSubManager()) {
                NDArray shadow = detached(w, scope);
                NDArray scale = w.weight().scaleOf(shadow);
                // In the estimator's units the outermost levels sit at -1 and +1, whatever the granularity
                // (group scales do not broadcast against the weights) or zero point.
                NDArray normalized = w.weight().quantizer().normalized(shadow, scale);
                NDArray codes = w.weight().codesOf(shadow);
                Alphabet alphabet = w.weight().quantizer().alphabet().orElseThrow();
                weights += shadow.size();
                NDArray previous = previousCodes.get(w.name());
                if (previous != null) {
                    flipped += codes.neq(previous)
                            .sum()
                            .toType(DataType.INT64, false)
                            .getLong();
                }
                beyond += normalized
                        .abs()
                        .gt(1f)
                        .sum()
                        .toType(DataType.INT64, false)
                        .getLong();
                occupancy.put(w.name(), histogram(codes.toFloatArray(), alphabet.levels()));
            }
        }
        remember();
        return new Diagnostics((double) flipped / weights, (double) beyond / weights, occupancy);
    }

    /** Whether every parameter of the model is a finite number. */
    boolean parametersFinite() {
        for (Pair<String, Parameter> entry : block.getParameters()) {
            try (NDManager scope = snapshots.newSubManager()) {
                NDArray values = entry.getValue().getArray().stopGradient();
                values.attach(scope);
                if (values.isNaN().logicalOr(values.isInfinite()).any().getBoolean()) {
                    return false;
                }
            }
        }
        return true;
    }

    private static NDArray detached(Watched w, NDManager scope) {
        NDArray shadow = w.weight().weight().getArray().stopGradient();
        shadow.attach(scope);
        return shadow;
    }

    private static NDArray codesOf(Watched w, NDManager scope) {
        return w.weight().codesOf(detached(w, scope));
    }

    private static List<Long> histogram(float[] codes, int levels) {
        long[] counts = new long[levels];
        for (float code : codes) {
            counts[(int) code]++;
        }
        List<Long> list = new ArrayList<>(levels);
        for (long count : counts) {
            list.add(count);
        }
        return list;
    }

    @Override
    public void close() {
        snapshots.close();
    }
}
