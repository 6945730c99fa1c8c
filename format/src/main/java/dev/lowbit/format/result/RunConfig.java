package dev.lowbit.format.result;

/**
 * Everything that defines one run: the same config always gets the same run id.
 *
 * @param suite the suite the run belongs to (its results folder)
 * @param dataset dataset name, e.g. {@code fashion-mnist}
 * @param architecture architecture id
 * @param quantizer weight spec, e.g. {@code ternary@mse/tensor} or {@code ternary@mse/tensor~clipped}
 * @param layerPolicy which layers are quantized: a {@link dev.lowbit.api.spi.LayerPolicy} id such as {@code all},
 *     or a layer map such as {@code first=fp32;last=k17@mse/tensor} (each spec canonical)
 * @param activations the activation quantizer spec, e.g. {@code int8@absmax/token}; {@code none} (the default,
 *     and what null becomes) quantizes no activations
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
        String activations,
        Recipe recipe,
        int trainLimit,
        double validationShare,
        long seed) {

    /**
     * The version of config.json's schema this lowbit writes, and the newest it reads ({@link StoreJson}
     * says when it is raised). Stored as {@value StoreJson#VERSION_FIELD}, beside the config's fields; a run
     * id never hashes it.
     */
    public static final int SCHEMA_VERSION = 1;

    /** The layer policy every fp32 run is stored under: with nothing quantized, the policy means nothing. */
    public static final String FP32_LAYER_POLICY = "all";

    /** The activations of runs that quantize none, every fp32 run's: written out in results, left out of run ids. */
    public static final String NO_ACTIVATIONS = "none";

    private static final String FP32 = "fp32";

    public RunConfig {
        // config.json and run.json written before activations existed have none.
        activations = activations == null ? NO_ACTIVATIONS : activations;
    }

    /** A run whose layers' inputs stay fp32 (activations {@code none}). */
    public RunConfig(
            String suite,
            String dataset,
            String architecture,
            String quantizer,
            String layerPolicy,
            Recipe recipe,
            int trainLimit,
            double validationShare,
            long seed) {
        this(
                suite,
                dataset,
                architecture,
                quantizer,
                layerPolicy,
                NO_ACTIVATIONS,
                recipe,
                trainLimit,
                validationShare,
                seed);
    }

    /**
     * The same run with another quantizer; for fp32, policy {@code all} and activations {@code none}, so one
     * twin serves every policy and every activation setting (the twin quantizes nothing).
     */
    public RunConfig withQuantizer(String quantizerSpec) {
        boolean fp32 = FP32.equals(quantizerSpec);
        return new RunConfig(
                suite,
                dataset,
                architecture,
                quantizerSpec,
                fp32 ? FP32_LAYER_POLICY : layerPolicy,
                fp32 ? NO_ACTIVATIONS : activations,
                recipe,
                trainLimit,
                validationShare,
                seed);
    }

    /** The same run with another activation spec. */
    public RunConfig withActivations(String activationSpec) {
        return new RunConfig(
                suite,
                dataset,
                architecture,
                quantizer,
                layerPolicy,
                activationSpec,
                recipe,
                trainLimit,
                validationShare,
                seed);
    }

    /** The same run with another seed: configs equal but for the seed are the seeds of one experiment. */
    public RunConfig withSeed(long newSeed) {
        return new RunConfig(
                suite,
                dataset,
                architecture,
                quantizer,
                layerPolicy,
                activations,
                recipe,
                trainLimit,
                validationShare,
                newSeed);
    }

    /** The same run with another architecture (the small/large pairs of the study). */
    public RunConfig withArchitecture(String architectureId) {
        return new RunConfig(
                suite,
                dataset,
                architectureId,
                quantizer,
                layerPolicy,
                activations,
                recipe,
                trainLimit,
                validationShare,
                seed);
    }

    /** The same run with another recipe (the augmentation pairs of the study). */
    public RunConfig withRecipe(Recipe newRecipe) {
        return new RunConfig(
                suite,
                dataset,
                architecture,
                quantizer,
                layerPolicy,
                activations,
                newRecipe,
                trainLimit,
                validationShare,
                seed);
    }

    /** The config of this run's fp32 twin: the same architecture, recipe, data and seed at full precision. */
    public RunConfig twin() {
        return withQuantizer(FP32);
    }
}
