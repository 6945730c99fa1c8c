package dev.lowbit.harness.plan;

import dev.lowbit.format.result.Recipe;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Cifar10;
import dev.lowbit.harness.data.FashionMnist;
import dev.lowbit.harness.scheme.LayerMap;
import dev.lowbit.reports.ReportLimits;
import java.util.Locale;
import java.util.Map;

/**
 * The bounds of a suite, whoever wrote its values: a suite file or the command line. Each value is
 * checked where it is read (a file's with its line, a flag's with its name) against the constants here;
 * what values imply together (a batch larger than the training set, a grid too large to list) is
 * checked once, by {@link #check}, when the plan is built, so {@code plan} and {@code run} refuse the
 * same suites, before anything is allocated or trained. README's suite reference states these bounds.
 */
public final class SuiteLimits {

    /**
     * Epochs of one recipe: the most the report reads for one run, so every run lowbit trains is one its
     * report shows. It also keeps epochs x batches per epoch (the steps a cosine schedule counts in an
     * int) within range for every standard training set even with a batch of 1.
     */
    public static final int MAX_EPOCHS = ReportLimits.MAX_EPOCHS;
    /** Seeds of one suite: each seed is a copy of the whole grid. */
    public static final int MAX_SEEDS = 1_000;
    /**
     * Runs of one plan: the most the report of one suite's folder holds, so a suite's report shows
     * every run it trained; a larger study is several suites.
     */
    public static final int MAX_RUNS = ReportLimits.MAX_RUNS;
    /** Values of a quantizer's alphabet: 8 bits, the top of low-bit. */
    public static final int MAX_LEVELS = 256;
    /** Characters of a suite's name, which names its results folder (a file name holds at most 255 bytes). */
    public static final int MAX_NAME_LENGTH = 100;
    /** Bytes of a suite file: a grid of hundreds of runs takes a few hundred bytes. */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** Characters of a layer map ({@code layerPolicy} or {@code --layer-policy} rules). */
    public static final int MAX_LAYER_MAP_LENGTH = LayerMap.MAX_LENGTH;
    /** Rules of a layer map. */
    public static final int MAX_LAYER_RULES = LayerMap.MAX_RULES;

    /**
     * The training images of each dataset's standard files. A batch is never larger than the training
     * set, so this also bounds what one batch allocates (the trainer allocates a whole batch up front).
     */
    static final Map<String, Integer> STANDARD_TRAINING_IMAGES =
            Map.of(FashionMnist.NAME, 60_000, Cifar10.NAME, 50_000);

    private SuiteLimits() {}

    /**
     * Checks what the suite's values imply together. Each value alone (epochs, seeds, alphabets) was
     * checked where it was read.
     *
     * @throws BadInputException one line naming the values, the bound and how to fix it
     */
    static void check(Suite suite) {
        int activations = suite.activations().size();
        if (activations > 1) {
            // The fp32 twin runs once, whatever the activations: it quantizes nothing.
            long quantized =
                    suite.quantizers().stream().filter(q -> !q.equals("fp32")).count();
            long pairs = quantized * activations + (suite.quantizers().size() - quantized);
            long runs = suite.architectures().size()
                    * pairs
                    * suite.recipes().size()
                    * suite.seeds().size();
            if (runs > MAX_RUNS) {
                throw new BadInputException(String.format(
                        Locale.ROOT,
                        "Suite '%s' has %,d runs (%d architectures x %d"
                                + " quantizer-activation pairs x %d recipes x %d seeds), more than the %,d one plan may hold."
                                + " Split the study into several suites.",
                        suite.name(),
                        runs,
                        suite.architectures().size(),
                        pairs,
                        suite.recipes().size(),
                        suite.seeds().size(),
                        MAX_RUNS));
            }
        }
        long runs = (long) suite.architectures().size()
                * suite.quantizers().size()
                * suite.recipes().size()
                * suite.seeds().size();
        if (runs > MAX_RUNS) {
            throw new BadInputException(String.format(
                    Locale.ROOT,
                    "Suite '%s' has %,d runs (%d architectures x %d"
                            + " quantizers x %d recipes x %d seeds), more than the %,d one plan may hold. Split the study into"
                            + " several suites.",
                    suite.name(),
                    runs,
                    suite.architectures().size(),
                    suite.quantizers().size(),
                    suite.recipes().size(),
                    suite.seeds().size(),
                    MAX_RUNS));
        }
        int trainingImages = trainingImages(suite);
        if (trainingImages < 1) {
            throw new BadInputException(
                    "Suite '" + suite.name() + "' trains on no images: " + describeTrainingSet(suite)
                            + " leaves none. Raise the trainLimit (or --train-limit) or lower the validationShare.");
        }
        for (Recipe recipe : suite.recipes()) {
            if (recipe.batchSize() > trainingImages) {
                throw new BadInputException(
                        "Recipe '" + recipe.name() + "' of suite '" + suite.name() + "' has batchSize "
                                + recipe.batchSize() + ", more than its training set: " + describeTrainingSet(suite)
                                + " leaves " + trainingImages + (trainingImages == 1 ? " image" : " images")
                                + ". Use a batchSize from 1 to " + trainingImages + ".");
            }
        }
    }

    /**
     * The images a run of this suite trains on, at most: the train limit (or the dataset's standard
     * training set, if smaller or no limit is set) less the validation share.
     */
    static int trainingImages(Suite suite) {
        int standard = STANDARD_TRAINING_IMAGES.getOrDefault(suite.dataset(), 0);
        int used = suite.trainLimit() > 0 ? Math.min(suite.trainLimit(), standard) : standard;
        return used - (int) Math.round(used * suite.validationShare());
    }

    private static String describeTrainingSet(Suite suite) {
        int standard = STANDARD_TRAINING_IMAGES.getOrDefault(suite.dataset(), 0);
        String images = suite.trainLimit() > 0 && suite.trainLimit() < standard
                ? "trainLimit " + suite.trainLimit()
                : suite.dataset() + "'s " + standard + " training images";
        return images + " less the validationShare " + suite.validationShare();
    }
}
