package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class TwinComparisonTest {

    private static final RunConfig FP32 = ResultsFixture.config("quick", "fcnn-small", "fp32", 1);

    private static StoredRun run(RunConfig config, QuantizerRecord quantizer, double test, double... validation) {
        List<EpochRecord> epochs = ResultsFixture.epochs(validation);
        return new StoredRun(
                ResultsFixture.finished(
                        config.architecture() + "-" + quantizer.id() + "-" + config.seed(),
                        config,
                        quantizer,
                        ResultsFixture.TERNARY_MEMORY,
                        epochs,
                        test),
                epochs);
    }

    private static final StoredRun TWIN = run(FP32, ResultsFixture.fp32(), 0.8750, 0.80, 0.85, 0.88);
    private static final StoredRun TERNARY =
            run(FP32.withQuantizer("ternary"), ResultsFixture.ternary(), 0.8612, 0.78, 0.87, 0.86);
    private static final StoredRun BINARY =
            run(FP32.withQuantizer("binary"), ResultsFixture.binary(), 0.7851, 0.70, 0.75, 0.79);

    private static TwinComparison compare(double tolerance, StoredRun... runs) {
        return new TwinComparison(List.of(runs), tolerance);
    }

    @Test
    void parityIsTheFirstEpochWithinOnePointOfTheTwinsBestEvenExactlyOnTheThreshold() {
        TwinComparison twins = compare(0.01, TWIN, TERNARY, BINARY);

        assertThat(twins.parityLabel(TERNARY)).isEqualTo("2"); // 0.87 >= 0.88 - 0.01
        assertThat(twins.parityLabel(TWIN)).isEqualTo("3"); // the twin itself reaches 0.87 at epoch 3
    }

    @Test
    void parityNeverReachedIsCensoredAtTheEpochsTrained() {
        TwinComparison twins = compare(0.01, TWIN, BINARY);
        assertThat(twins.parityLabel(BINARY)).isEqualTo("> 3");
        assertThat(twins.parity(BINARY).censored()).isTrue();
        assertThat(twins.parity(BINARY).epochOrBeyond()).isEqualTo(4);
    }

    @Test
    void toleranceIsAParameter() {
        assertThat(compare(0.0, TWIN, TERNARY).parityLabel(TERNARY)).isEqualTo("> 3");
        assertThat(compare(0.10, TWIN, BINARY).parityLabel(BINARY)).isEqualTo("3"); // 0.79 >= 0.78
        assertThat(compare(0.20, TWIN, BINARY).parityLabel(BINARY)).isEqualTo("1"); // 0.70 >= 0.68
        assertThatThrownBy(() -> compare(-0.01, TWIN)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> compare(Double.NaN, TWIN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deltaIsTestAccuracyMinusTheTwinsInPercentagePoints() {
        TwinComparison twins = compare(0.01, TWIN, TERNARY, BINARY);

        assertThat(twins.deltaPoints(TERNARY).getAsDouble()).isCloseTo(-1.38, within(1e-9));
        assertThat(twins.deltaPoints(BINARY).getAsDouble()).isCloseTo(-8.99, within(1e-9));
        assertThat(twins.deltaPoints(TWIN).getAsDouble()).isZero();
    }

    @Test
    void aRunWhoseConfigDiffersInAnythingButTheQuantizerHasNoTwin() {
        RunConfig otherSeed = ResultsFixture.config("quick", "fcnn-small", "binary", 2);
        RunConfig c = FP32.withQuantizer("binary");
        Recipe r = c.recipe();
        RunConfig otherRate = c.withRecipe(new Recipe(
                r.name(),
                r.optimizer(),
                0.01,
                r.schedule(),
                r.batchSize(),
                r.epochs(),
                r.weightDecay(),
                r.augmentation()));
        StoredRun seed2 = run(otherSeed, ResultsFixture.binary(), 0.8, 0.8);
        StoredRun rate = run(otherRate, ResultsFixture.binary(), 0.8, 0.8);
        TwinComparison twins = compare(0.01, TWIN, seed2, rate);

        for (StoredRun orphan : List.of(seed2, rate)) {
            assertThat(twins.twinOf(orphan)).isEmpty();
            assertThat(twins.parityLabel(orphan)).isEqualTo("no fp32 twin");
            assertThat(twins.deltaPoints(orphan)).isEmpty();
        }
    }

    @Test
    void aFailedTwinGivesNoDeltaAndSaysSo() {
        List<EpochRecord> epochs = ResultsFixture.epochs(0.80);
        StoredRun failedTwin = new StoredRun(
                ResultsFixture.failed(
                        "t", FP32, ResultsFixture.fp32(), ResultsFixture.FP32_MEMORY, epochs, "out of memory"),
                epochs);
        TwinComparison twins = compare(0.01, failedTwin, TERNARY);

        assertThat(twins.parityLabel(TERNARY)).isEqualTo("fp32 twin did not finish");
        assertThat(twins.deltaPoints(TERNARY)).isEmpty();
    }

    @Test
    void aFailedRunHasNoDeltaButKeepsTheParityItReachedBeforeFailing() {
        List<EpochRecord> epochs = ResultsFixture.epochs(0.86, 0.87);
        StoredRun failed = new StoredRun(
                ResultsFixture.failed(
                        "f",
                        FP32.withQuantizer("ternary"),
                        ResultsFixture.ternary(),
                        ResultsFixture.TERNARY_MEMORY,
                        epochs,
                        "NaN loss"),
                epochs);
        TwinComparison twins = compare(0.01, TWIN, failed);

        assertThat(twins.deltaPoints(failed)).isEmpty();
        assertThat(twins.parityLabel(failed)).isEqualTo("2");
    }

    @Test
    void firstEpochReachingUsesEpochNumbersNotLinePositions() {
        List<EpochRecord> epochs = List.of(new EpochRecord(3, 0, 0, 0, 0.9, 0), new EpochRecord(2, 0, 0, 0, 0.9, 0));

        assertThat(TwinComparison.firstEpochReaching(epochs, 0.85)).isEqualTo(OptionalInt.of(2));
        assertThat(TwinComparison.firstEpochReaching(epochs, 0.95)).isEmpty();
    }
}
