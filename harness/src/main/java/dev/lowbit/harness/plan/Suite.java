package dev.lowbit.harness.plan;

import dev.lowbit.format.result.Recipe;
import java.util.List;

/**
 * A grid of runs: every recipe x architecture x quantizer x activation spec x seed (the fp32 twin once,
 * without activations).
 *
 * @param name the suite's name; its results go to {@code <out>/<name>/}
 * @param dataset dataset name
 * @param architectures architecture ids
 * @param quantizers weight specs
 * @param activations activation specs; empty when the suite names none, and then each quantizer runs with
 *     the activations it is published with ({@code none} for all but a few, such as BitNet b1.58)
 * @param layerPolicy which layers are quantized: a preset id or a layer map, as written
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
        List<String> activations,
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
        activations = activations == null ? List.of() : List.copyOf(activations);
        recipes = List.copyOf(recipes);
        seeds = List.copyOf(seeds);
    }

    /** The same suite, read from {@code source} whose bytes have this SHA-256. */
    public Suite withSource(String source, String sha256) {
        return new Suite(
                name,
                dataset,
                architectures,
                quantizers,
                activations,
                layerPolicy,
                recipes,
                seeds,
                trainLimit,
                validationShare,
                parityTolerance,
                source,
                sha256);
    }
}
