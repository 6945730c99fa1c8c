package dev.lowbit.harness.plan;

import dev.lowbit.api.result.Recipe;
import java.util.List;

/**
 * A grid of runs: every architecture x quantizer x seed, trained with one recipe.
 *
 * @param name the suite's name; its results go to {@code <out>/<name>/}
 * @param dataset dataset name
 * @param architectures architecture ids
 * @param quantizers quantizer specs
 * @param layerPolicy which layers are quantized (a LayerPolicy id; {@code all} when absent)
 * @param recipe how every run is trained
 * @param seeds one run per seed
 * @param trainLimit first N training images (0 = all)
 * @param validationShare share of training images held out for validation
 */
public record Suite(
        String name,
        String dataset,
        List<String> architectures,
        List<String> quantizers,
        String layerPolicy,
        Recipe recipe,
        List<Long> seeds,
        int trainLimit,
        double validationShare) {

    public Suite {
        architectures = List.copyOf(architectures);
        quantizers = List.copyOf(quantizers);
        layerPolicy = layerPolicy == null ? "all" : layerPolicy;
        seeds = List.copyOf(seeds);
    }
}
