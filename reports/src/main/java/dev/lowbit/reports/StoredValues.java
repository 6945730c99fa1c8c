package dev.lowbit.reports;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.ParityRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.format.result.TensorMemory;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The one place that says which numbers a stored run may hold. Every number of a run.json and of each
 * epochs.jsonl line is checked here when the run is read, so the tables, charts and verdicts only ever
 * see values lowbit itself could have written: an Infinity, a 1e308 flip ratio, negative bits or an
 * accuracy of 7 is a damaged or crafted file, and the run is skipped with a warning instead of taking
 * the report down (JFreeChart refuses non-finite ranges) or drawing nonsense.
 *
 * <p>NaN stays allowed where lowbit writes it: the metrics of a diverged or failed run, the bits of a
 * quantizer that failed before it described itself, a loss or learning rate not measured.
 */
final class StoredValues {

    private static final String FRACTION = "a fraction from 0 to 1, or NaN when there is none";
    private static final String LOSS = "a number >= 0, or NaN when there is none";

    private final String where;

    private StoredValues(String where) {
        this.where = where;
    }

    /** Checks every number of a run.json. */
    static void check(RunRecord run) throws IOException {
        StoredValues in = new StoredValues(StoreLayout.RUN_FILE);
        in.whole("epochsCompleted", run.epochsCompleted(), 0, ReportLimits.MAX_EPOCHS);
        if (run.divergedEpoch() != null) {
            in.whole("divergedEpoch", run.divergedEpoch(), 1, ReportLimits.MAX_EPOCHS);
        }
        in.fraction("bestValidationAccuracy", run.bestValidationAccuracy());
        in.fraction("testAccuracy", run.testAccuracy());
        in.loss("testLoss", run.testLoss());
        check(in, run.config());
        check(in, run.quantizer());
        if (run.memory() != null) {
            check(in, run.memory());
        }
        if (run.model() != null) {
            check(in, run.model());
        }
        if (run.parity() != null) {
            check(in, run.parity());
        }
    }

    /** Checks every number of an unfinished run's config.json. */
    static void check(RunConfig config) throws IOException {
        check(new StoredValues(StoreLayout.CONFIG_FILE), config);
    }

    /** Checks every number of one epochs.jsonl line; {@code line} is its 1-based line number. */
    static void check(EpochRecord epoch, int line) throws IOException {
        StoredValues in = new StoredValues(StoreLayout.EPOCHS_FILE + " line " + line);
        in.whole("epoch", epoch.epoch(), 1, ReportLimits.MAX_EPOCHS);
        in.loss("trainLoss", epoch.trainLoss());
        in.fraction("trainAccuracy", epoch.trainAccuracy());
        in.loss("validationLoss", epoch.validationLoss());
        in.fraction("validationAccuracy", epoch.validationAccuracy());
        in.nonNegative("seconds", epoch.seconds(), true);
        if (epoch.learningRate() != null) {
            in.nonNegative("learningRate", epoch.learningRate(), true);
        }
        if (epoch.flipRatio() != null) {
            in.fraction("flipRatio", epoch.flipRatio());
        }
        if (epoch.beyondOutermostShare() != null) {
            in.fraction("beyondOutermostShare", epoch.beyondOutermostShare());
        }
        if (epoch.lossSpikes() != null) {
            in.whole("lossSpikes", epoch.lossSpikes(), 0, Integer.MAX_VALUE);
        }
        for (Map.Entry<String, List<Long>> tensor : epoch.levelOccupancy().entrySet()) {
            in.counts("levelOccupancy." + shortName(tensor.getKey()), tensor.getValue(), ReportLimits.MAX_LEVELS);
        }
    }

    /** A tensor name as a warning quotes it: the file's own text, so not without bound. */
    private static String shortName(String name) {
        return name.length() <= 80 ? name : name.substring(0, 80) + "...";
    }

    private static void check(StoredValues in, RunConfig config) throws IOException {
        in.whole("config.trainLimit", config.trainLimit(), 0, Integer.MAX_VALUE);
        in.range("config.validationShare", config.validationShare(), 0, 1, false, "a fraction from 0 to 1");
        Recipe recipe = config.recipe();
        in.range(
                "config.recipe.learningRate", recipe.learningRate(), 0, Double.MAX_VALUE, false, "a finite number > 0");
        in.whole("config.recipe.epochs", recipe.epochs(), 1, Integer.MAX_VALUE);
        in.range("config.recipe.weightDecay", recipe.weightDecay(), 0, Double.MAX_VALUE, false, "a finite number >= 0");
    }

    private static void check(StoredValues in, QuantizerRecord quantizer) throws IOException {
        in.whole("quantizer.levels", quantizer.levels(), 0, ReportLimits.MAX_LEVELS);
        // NaN: a quantizer whose code failed before it could describe itself (a FAILED run).
        in.range(
                "quantizer.bitsPerWeight",
                quantizer.bitsPerWeight(),
                Double.MIN_VALUE,
                64,
                true,
                "a number of bits above 0 and at most 64, or NaN when unknown");
        in.alphabet("quantizer.values", quantizer.values());
        // NaN: a failed run that never built its activation quantizer. An activation has at most 32 bits.
        in.range(
                "quantizer.activations.bits",
                quantizer.activations().bits(),
                Double.MIN_VALUE,
                32,
                true,
                "a number of bits above 0 and at most 32, or NaN when unknown");
    }

    private static void check(StoredValues in, MemoryRecord memory) throws IOException {
        in.count("memory.parameters", memory.parameters());
        in.count("memory.quantizedWeights", memory.quantizedWeights());
        in.count("memory.scales", memory.scales());
        in.bytes("memory.fp32Bytes", memory.fp32Bytes());
        in.bytes("memory.idealBytes", memory.idealBytes());
        in.optionalCount("memory.packedBytes", memory.packedBytes());
        in.optionalCount("memory.packedWeightBytes", memory.packedWeightBytes());
        if (memory.entropyBytes() != null) {
            in.bytes("memory.entropyBytes", memory.entropyBytes());
        }
        for (int i = 0; i < memory.tensors().size(); i++) {
            TensorMemory tensor = memory.tensors().get(i);
            String name = "memory.tensors[" + i + "]";
            in.counts(name + ".shape", tensor.shape(), 64);
            in.count(name + ".elements", tensor.elements());
            in.count(name + ".scales", tensor.scales());
            in.range(name + ".bitsPerWeight", tensor.bitsPerWeight(), 0, 64, false, "a number of bits from 0 to 64");
            in.bytes(name + ".fp32Bytes", tensor.fp32Bytes());
            in.bytes(name + ".idealBytes", tensor.idealBytes());
            in.optionalCount(name + ".packedBytes", tensor.packedBytes());
            if (tensor.entropyBitsPerWeight() != null) {
                in.range(
                        name + ".entropyBitsPerWeight",
                        tensor.entropyBitsPerWeight(),
                        0,
                        64,
                        false,
                        "a number of bits from 0 to 64");
            }
            if (tensor.levelCounts() != null) {
                in.counts(name + ".levelCounts", tensor.levelCounts(), ReportLimits.MAX_LEVELS);
            }
            if (tensor.values() != null) {
                in.alphabet(name + ".values", tensor.values());
            }
        }
    }

    private static void check(StoredValues in, ModelRecord model) throws IOException {
        in.counts("model.inputShape", model.inputShape(), 64);
        in.whole("model.classes", model.classes(), 1, Integer.MAX_VALUE);
        in.range(
                "model.normalisationMean",
                model.normalisationMean(),
                -Double.MAX_VALUE,
                Double.MAX_VALUE,
                false,
                "a finite number");
        in.range(
                "model.normalisationStd",
                model.normalisationStd(),
                -Double.MAX_VALUE,
                Double.MAX_VALUE,
                false,
                "a finite number");
    }

    private static void check(StoredValues in, ParityRecord parity) throws IOException {
        in.range("parity.tolerance", parity.tolerance(), 0, 1, false, "a fraction from 0 to 1");
        in.fraction("parity.twinBestValidationAccuracy", parity.twinBestValidationAccuracy());
        if (parity.epoch() != null) {
            in.whole("parity.epoch", parity.epoch(), 1, ReportLimits.MAX_EPOCHS);
        }
        in.whole("parity.epochsObserved", parity.epochsObserved(), 0, ReportLimits.MAX_EPOCHS);
    }

    /** An alphabet: at most {@link ReportLimits#MAX_LEVELS} values, no holes, each finite and moderate. */
    private void alphabet(String field, List<Double> values) throws IOException {
        if (values.size() > ReportLimits.MAX_LEVELS) {
            throw outside(field, values.size() + " values", "at most " + ReportLimits.MAX_LEVELS + " values");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw outside(field + "[" + i + "]", "null", "a finite number from -1e6 to 1e6");
            }
            range(field + "[" + i + "]", values.get(i), -1e6, 1e6, false, "a finite number from -1e6 to 1e6");
        }
    }

    private void fraction(String field, double value) throws IOException {
        range(field, value, 0, 1, true, FRACTION);
    }

    private void loss(String field, double value) throws IOException {
        // A loss may overflow to +Infinity without the weights being damaged; it is printed, never drawn.
        range(field, value, 0, Double.POSITIVE_INFINITY, true, LOSS);
    }

    private void nonNegative(String field, double value, boolean nanAllowed) throws IOException {
        range(field, value, 0, Double.MAX_VALUE, nanAllowed, "a finite number >= 0" + (nanAllowed ? ", or NaN" : ""));
    }

    private void bytes(String field, double value) throws IOException {
        range(field, value, 0, ReportLimits.MAX_COUNT, false, "a byte count from 0 to 2^50");
    }

    private void count(String field, long value) throws IOException {
        if (value < 0 || value > ReportLimits.MAX_COUNT) {
            throw outside(field, Long.toString(value), "a count from 0 to 2^50");
        }
    }

    private void optionalCount(String field, Long value) throws IOException {
        if (value != null) {
            count(field, value);
        }
    }

    /** A list of counts (a shape, a histogram): no holes, each a count, and not longer than {@code maxSize}. */
    private void counts(String field, List<Long> values, int maxSize) throws IOException {
        if (values.size() > maxSize) {
            throw outside(field, values.size() + " entries", "at most " + maxSize + " entries");
        }
        for (int i = 0; i < values.size(); i++) {
            if (values.get(i) == null) {
                throw outside(field + "[" + i + "]", "null", "a count from 0 to 2^50");
            }
            count(field + "[" + i + "]", values.get(i));
        }
    }

    private void whole(String field, long value, long min, long max) throws IOException {
        if (value < min || value > max) {
            throw outside(field, Long.toString(value), "a whole number from " + min + " to " + max);
        }
    }

    private void range(String field, double value, double min, double max, boolean nanAllowed, String allowed)
            throws IOException {
        boolean ok = Double.isNaN(value) ? nanAllowed : value >= min && value <= max;
        if (!ok) {
            throw outside(field, Double.toString(value), allowed);
        }
    }

    private IOException outside(String field, String value, String allowed) {
        return new IOException(where + ": '" + field + "' is " + value + "; allowed: " + allowed
                + ". The file is damaged or was edited: delete the run's folder and run it again");
    }
}
