package dev.lowbit.harness.plan;

import dev.lowbit.api.result.Recipe;
import java.util.List;

/**
 * A grid of runs: every recipe x architecture x quantizer x seed.
 *
 * @param name the suite's name; its results go to {@code <out>/<name>/}
 * @param dataset dataset name
 * @param architectures architecture ids
 * @param quantizers quantizer specs
 * @param layerPolicy which layers are quantized (a LayerPolicy id)
 * @param recipes how the runs are trained, each recipe a separate set of runs
 * @param seeds one run per seed
 * @param trainLimit first N training images (0 = all)
 * @param validationShare share of training images held out for validation
 * @param parityTolerance the accuracy gap to the fp32 twin's best that counts as parity (0.01 = 1 point)
 * @param source where the suite was read from, for provenance: {@code built-in:NAME} or the YAML file's
 *     absolute path; null until {@link SuiteLoader} sets it
 * @param sha256 SHA-256 (hex) of the YAML bytes the suite was read from (for a built-in, of its resource);
 *     null until {@link SuiteLoader} sets it
 */
public record Suite(
        String name,
        String dataset,
        List<String> architectures,
        List<String> quantizers,
        String layerPolicy,
        List<Recipe> recipes,
        List<Long> seeds,
        int trainLimit,
        double validationShare,
        double parityTolerance,
        String source,
        String sha256) {

    public Suite {
        architectures = List.copyOf(architectures);
        quantizers = List.copyOf(quantizers);
        recipes = List.copyOf(recipes);
        seeds = List.copyOf(seeds);
    }

    /** The same suite, read from {@code source} whose bytes have this SHA-256. */
    public Suite withSource(String source, String sha256) {
        return new Suite(name, dataset, architectures, quantizers, layerPolicy, recipes, seeds, trainLimit,
                validationShare, parityTolerance, source, sha256);
    }
}
