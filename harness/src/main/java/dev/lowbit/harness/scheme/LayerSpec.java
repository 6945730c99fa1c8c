package dev.lowbit.harness.scheme;

import dev.lowbit.harness.plugin.ActivationScheme;
import dev.lowbit.harness.plugin.WeightScheme;
import java.util.Objects;

/**
 * What one quantized layer of a run trains with.
 *
 * @param weights its weight scheme: the layer map's rule for it, or the run's own
 * @param activations its input's activation scheme, or null for none (always none for a layer kept in fp32)
 */
public record LayerSpec(WeightScheme weights, ActivationScheme activations) {

    public LayerSpec {
        Objects.requireNonNull(weights, "weights");
        if (weights.isFullPrecision()) {
            activations = null;
        }
    }
}
