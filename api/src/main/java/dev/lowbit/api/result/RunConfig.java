package dev.lowbit.api.result;

/**
 * Everything that defines one run: the same config always gets the same run id.
 *
 * @param suite the suite the run belongs to (its results folder)
 * @param dataset dataset name, e.g. {@code fashion-mnist}
 * @param architecture architecture id
 * @param quantizer quantizer spec, e.g. {@code ternary@mse/tensor}
 * @param layerPolicy which layers are quantized, a {@link dev.lowbit.api.spi.LayerPolicy} id such as {@code all}
 * @param recipe how the model is trained
 * @param trainLimit how many of the first training images were used; 0 means all
 * @param validationShare share of those images held out (stratified, seeded) for validation
 * @param seed seed for initialisation, split, shuffling and augmentation
 */
public record RunConfig(
        String suite,
        String dataset,
        String architecture,
        String quantizer,
        String layerPolicy,
        Recipe recipe,
        int trainLimit,
        double validationShare,
        long seed) {

    /** The layer policy every fp32 run is stored under: with nothing quantized, the policy means nothing. */
    public static final String FP32_LAYER_POLICY = "all";

    private static final String FP32 = "fp32";

    /** The same run with another quantizer (and policy {@code all} for fp32, so one twin serves every policy). */
    public RunConfig withQuantizer(String quantizerSpec) {
        String policy = FP32.equals(quantizerSpec) ? FP32_LAYER_POLICY : layerPolicy;
        return new RunConfig(suite, dataset, architecture, quantizerSpec, policy, recipe, trainLimit, validationShare,
                seed);
    }

    /** The same run with another seed: configs equal but for the seed are the seeds of one experiment. */
    public RunConfig withSeed(long newSeed) {
        return new RunConfig(suite, dataset, architecture, quantizer, layerPolicy, recipe, trainLimit, validationShare,
                newSeed);
    }

    /** The same run with another architecture (the small/large pairs of the study). */
    public RunConfig withArchitecture(String architectureId) {
        return new RunConfig(suite, dataset, architectureId, quantizer, layerPolicy, recipe, trainLimit, validationShare,
                seed);
    }

    /** The same run with another recipe (the augmentation pairs of the study). */
    public RunConfig withRecipe(Recipe newRecipe) {
        return new RunConfig(suite, dataset, architecture, quantizer, layerPolicy, newRecipe, trainLimit,
                validationShare, seed);
    }

    /** The config of this run's fp32 twin: the same architecture, recipe, data and seed at full precision. */
    public RunConfig twin() {
        return withQuantizer(FP32);
    }
}
