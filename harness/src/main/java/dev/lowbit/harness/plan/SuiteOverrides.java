package dev.lowbit.harness.plan;

import dev.lowbit.harness.BadInputException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * What the command line replaces in a suite ({@code --arch}, {@code --quantizer}, {@code --activations},
 * {@code --layer-policy}, {@code --epochs}, {@code --train-limit}, {@code --seeds}); null means keep the suite's own. Shared by
 * {@code run} and {@code plan}, so a plan shows exactly the runs that {@code run} with the same options
 * trains, and cluster scripts pass the same options on.
 *
 * @param architectures replaces the suite's architecture ids
 * @param quantizers replaces the suite's quantizer specs
 * @param activations replaces the suite's activation specs
 * @param layerPolicy replaces the suite's layer policy (a preset or a layer map)
 * @param epochs replaces every recipe's epoch count
 * @param trainLimit replaces the suite's train limit
 * @param seeds replaces the suite's seeds
 */
public record SuiteOverrides(
        List<String> architectures,
        List<String> quantizers,
        List<String> activations,
        String layerPolicy,
        Integer epochs,
        Integer trainLimit,
        List<Long> seeds) {

    /** Nothing replaced. */
    public static final SuiteOverrides NONE = new SuiteOverrides(null, null, null, null, null, null, null);

    public SuiteOverrides {
        architectures = architectures == null ? null : List.copyOf(architectures);
        quantizers = quantizers == null ? null : List.copyOf(quantizers);
        activations = activations == null ? null : List.copyOf(activations);
        seeds = seeds == null ? null : List.copyOf(seeds);
    }

    /**
     * The suite with these replacements. Each value passes the checks a suite file's value passes,
     * named by its option: ids and specs through the same {@code check}s, the same ranges, no repeats.
     *
     * @param checkArchitecture throws a {@link BadInputException} for an architecture id that does not exist
     * @param checkQuantizer throws a {@link BadInputException} for a quantizer spec a suite may not train
     * @param checkActivations throws a {@link BadInputException} for an activation spec that cannot be resolved
     * @param checkLayerPolicy throws a {@link BadInputException} for a layer policy that is no preset and no valid map
     * @throws BadInputException one line for the first bad value
     */
    Suite apply(
            Suite suite,
            Consumer<String> checkArchitecture,
            Consumer<String> checkQuantizer,
            Consumer<String> checkActivations,
            Consumer<String> checkLayerPolicy) {
        if (architectures != null) {
            requireOnce("--arch", architectures);
            architectures.forEach(checkArchitecture);
        }
        if (quantizers != null) {
            requireOnce("--quantizer", quantizers);
            quantizers.forEach(checkQuantizer);
        }
        if (activations != null) {
            requireOnce("--activations", activations);
            activations.forEach(checkActivations);
        }
        if (layerPolicy != null) {
            try {
                checkLayerPolicy.accept(layerPolicy);
            } catch (BadInputException e) {
                throw new BadInputException(e.getMessage() + " Fix --layer-policy or the suite's layerPolicy.", e);
            }
        }
        if (epochs != null && (epochs < 1 || epochs > SuiteLimits.MAX_EPOCHS)) {
            throw new BadInputException(
                    "--epochs must be from 1 to " + SuiteLimits.MAX_EPOCHS + ", got " + epochs + ".");
        }
        if (trainLimit != null && trainLimit < 1) {
            throw new BadInputException("--train-limit must be at least 1, got " + trainLimit + ".");
        }
        if (seeds != null) {
            requireOnce("--seeds", seeds);
            seeds.stream().filter(seed -> seed < 0).findFirst().ifPresent(seed -> {
                throw new BadInputException(
                        "--seeds must be whole numbers >= 0, as in a suite file, got " + seed + ".");
            });
            if (seeds.size() > SuiteLimits.MAX_SEEDS) {
                throw new BadInputException("--seeds lists " + seeds.size() + " seeds, more than the "
                        + SuiteLimits.MAX_SEEDS + " a suite may have.");
            }
        }
        return new Suite(
                suite.name(),
                suite.dataset(),
                architectures != null ? architectures : suite.architectures(),
                quantizers != null ? quantizers : suite.quantizers(),
                activations != null ? activations : suite.activations(),
                layerPolicy != null ? layerPolicy : suite.layerPolicy(),
                epochs != null
                        ? suite.recipes().stream()
                                .map(r -> r.withEpochs(epochs))
                                .toList()
                        : suite.recipes(),
                seeds != null ? seeds : suite.seeds(),
                trainLimit != null ? trainLimit : suite.trainLimit(),
                suite.validationShare(),
                suite.parityTolerance(),
                suite.source(),
                suite.sha256());
    }

    /** A list given twice the same value would plan the same runs twice; a suite file refuses it too. */
    private static void requireOnce(String option, List<?> values) {
        Set<Object> seen = new HashSet<>();
        for (Object value : values) {
            if (!seen.add(value)) {
                throw new BadInputException(option + " lists '" + value + "' twice; give each value once.");
            }
        }
    }

    /**
     * The options that give these overrides on {@code lowbit run}, for scripts that run the same plan
     * elsewhere. Quantizer and activation specs are joined with commas: {@code --quantizer} and
     * {@code --activations} split only at a comma followed by a letter, so the commas inside a
     * {@code levels:} alphabet survive.
     */
    public List<String> arguments() {
        List<String> arguments = new ArrayList<>();
        if (architectures != null) {
            arguments.addAll(List.of("--arch", String.join(",", architectures)));
        }
        if (quantizers != null) {
            arguments.addAll(List.of("--quantizer", String.join(",", quantizers)));
        }
        if (activations != null) {
            arguments.addAll(List.of("--activations", String.join(",", activations)));
        }
        if (layerPolicy != null) {
            arguments.addAll(List.of("--layer-policy", layerPolicy));
        }
        if (epochs != null) {
            arguments.addAll(List.of("--epochs", String.valueOf(epochs)));
        }
        if (trainLimit != null) {
            arguments.addAll(List.of("--train-limit", String.valueOf(trainLimit)));
        }
        if (seeds != null) {
            arguments.addAll(
                    List.of("--seeds", seeds.stream().map(String::valueOf).collect(Collectors.joining(","))));
        }
        return arguments;
    }
}
