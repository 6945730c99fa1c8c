package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.QuantizerRecord;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.api.result.RunStatus;
import dev.lowbit.reports.Finding.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each verdict rule on small studies whose outcome can be worked out by hand (tolerance 1 point). */
class FindingsTest {

    private static final Recipe PLAIN = ResultsFixture.RECIPE;
    private static final Recipe AUGMENTED = new Recipe("augmented", "adam", 0.001, "constant", 64, 3, 0, "standard");

    private final List<StoredRun> runs = new ArrayList<>();

    @Test
    void withoutRunsEveryFindingSaysNotEnoughRuns() {
        assertThat(judge()).extracting(Finding::verdict).containsOnly(Verdict.NOT_ENOUGH_RUNS);
        assertThat(judge()).extracting(Finding::id).containsExactly("F1", "F2", "F3", "F4", "F5");
    }

    @Test
    void f1IsConfirmedWhenTheBestLowBitAlphabetIsWithinToleranceOfFp32() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", ternary(), 1, 0.870, 0.80, 0.85, 0.87);
        add("fcnn-small", binary(), 1, 0.800, 0.70, 0.75, 0.79);

        Finding f1 = judge().get(0);

        assertThat(f1.verdict()).isEqualTo(Verdict.CONFIRMED);
        assertThat(f1.summary()).isEqualTo("In 1 of 1 comparisons a low-bit alphabet came within 1 pp of fp32.");
        assertThat(f1.evidence()).containsExactly("fcnn-small: best low-bit ternary W1.58 87.00% (n=1) vs fp32 87.50% (n=1),"
                + " Δ -0.50 pp (comparable)");
    }

    @Test
    void f1IsRefutedWhenNoLowBitAlphabetComesClose() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", ternary(), 1, 0.850, 0.80, 0.84, 0.85);

        assertThat(judge().get(0).verdict()).isEqualTo(Verdict.REFUTED);
    }

    @Test
    void f2IsConfirmedWhenTheSmallModelNeedsMoreEpochsThanTheLargeOne() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", ternary(), 1, 0.870, 0.80, 0.85, 0.87);   // parity at 3 (0.87 >= 0.88 - 0.01)
        add("fcnn-large", fp32(), 1, 0.885, 0.84, 0.87, 0.89);
        add("fcnn-large", ternary(), 1, 0.880, 0.88, 0.88, 0.88);   // parity at 1

        Finding f2 = judge().get(1);

        assertThat(f2.verdict()).isEqualTo(Verdict.CONFIRMED);
        assertThat(f2.evidence()).containsExactly(
                "fcnn / ternary W1.58: small median 3 (3), large median 1 (1) (supports)");
    }

    @Test
    void f2IsRefutedWhenTheLargeModelNeverReachesParity() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", ternary(), 1, 0.850, 0.80, 0.84, 0.85);   // censored: > 3, counts as 4
        add("fcnn-large", fp32(), 1, 0.885, 0.84, 0.87, 0.89);
        add("fcnn-large", ternary(), 1, 0.850, 0.80, 0.84, 0.85);   // censored too

        Finding f2 = judge().get(1);

        assertThat(f2.verdict()).isEqualTo(Verdict.REFUTED);
        assertThat(f2.evidence()).containsExactly(
                "fcnn / ternary W1.58: small median 4 (> 3), large median 4 (> 3) (does not)");
    }

    @Test
    void f3IsConfirmedWhenAugmentedLowBitRunsAreLessStable() {
        for (long seed : new long[] {1, 2}) {
            add(run("fcnn-small", fp32(), PLAIN, seed, RunStatus.FINISHED, 0.875, 0));
            add(run("fcnn-small", fp32(), AUGMENTED, seed, RunStatus.FINISHED, 0.870, 0));
            add(run("fcnn-small", ternary(), PLAIN, seed, RunStatus.FINISHED, 0.870, 0));
        }
        add(run("fcnn-small", ternary(), AUGMENTED, 1, RunStatus.FINISHED, 0.860, 2)); // loss spikes
        add(run("fcnn-small", ternary(), AUGMENTED, 2, RunStatus.DIVERGED, 0, 0));

        Finding f3 = judge().get(2);

        assertThat(f3.verdict()).isEqualTo(Verdict.CONFIRMED);
        assertThat(f3.summary()).isEqualTo("Low-bit runs unstable: 2 of 2 with augmentation, 0 of 2 without; "
                + "fp32: 0 of 2 with, 0 of 2 without.");
    }

    @Test
    void f4ComparesEachAlphabetWithItsPartnerPlusZero() {
        add(run("fcnn-small", fp32(), PLAIN, 1, RunStatus.FINISHED, 0.875, 0));
        add(run("fcnn-small", binary(), PLAIN, 1, RunStatus.DIVERGED, 0, 0));
        add(run("fcnn-small", ternary(), PLAIN, 1, RunStatus.FINISHED, 0.870, 0));
        add(run("fcnn-small", quaternary(), PLAIN, 1, RunStatus.FINISHED, 0.874, 0));
        add(run("fcnn-small", quinary(), PLAIN, 1, RunStatus.FINISHED, 0.872, 0));

        Finding f4 = judge().get(3);

        // binary -> ternary: 1/1 unstable -> 0/1, zero helps; quaternary -> quinary: both stable, lower accuracy.
        assertThat(f4.verdict()).isEqualTo(Verdict.REFUTED);
        assertThat(f4.summary()).isEqualTo("Adding zero helped in 1 of 2 pairs.");
        assertThat(f4.evidence()).containsExactlyInAnyOrder(
                "fcnn-small: binary W1 -> ternary W1.58: unstable 1/1 -> 0/1, accuracy no finished seed -> 87.00% (n=1)"
                        + " (zero helps)",
                "fcnn-small: quaternary W2 -> quinary W2.32: unstable 0/1 -> 0/1, accuracy 87.40% (n=1) -> 87.20% (n=1)"
                        + " (zero does not help)");
    }

    @Test
    void f5IsConfirmedWhenFiveLevelsIsTheFewestBitsWithinTolerance() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", ternary(), 1, 0.850, 0.80, 0.84, 0.85);
        add("fcnn-small", quinary(), 1, 0.870, 0.80, 0.85, 0.87);

        Finding f5 = judge().get(4);

        assertThat(f5.verdict()).isEqualTo(Verdict.CONFIRMED);
        assertThat(f5.summary()).isEqualTo("5 levels was the fewest-bit alphabet comparable to fp32 in 1 of 1 groups.");
    }

    @Test
    void f5IsRefutedWhenFewerLevelsAlreadyMatchFp32AndUnjudgedWithoutASmallerAlphabet() {
        add("fcnn-small", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
        add("fcnn-small", quinary(), 1, 0.870, 0.80, 0.85, 0.87);
        assertThat(judge().get(4).verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);

        add("fcnn-small", ternary(), 1, 0.872, 0.80, 0.85, 0.87);
        assertThat(judge().get(4).verdict()).isEqualTo(Verdict.REFUTED);
    }

    @Test
    void evidenceNamesEachSpecWhenTwoShareAQuantizerId() {
        for (String architecture : List.of("fcnn-small", "fcnn-large")) {
            add(architecture, "fp32", fp32(), 1, 0.875, 0.80, 0.85, 0.88);
            add(architecture, "ternary@mse/tensor", ternary(), 1, 0.850, 0.80, 0.84, 0.85);   // never at parity
            add(architecture, "ternary@absmax/tensor", ternary(), 1, 0.870, 0.80, 0.85, 0.87); // parity at 3
        }

        List<Finding> findings = judge();

        assertThat(findings.get(0).evidence()).containsExactly(
                "fcnn-large: best low-bit ternary@absmax/tensor W1.58 87.00% (n=1) vs fp32 87.50% (n=1), Δ -0.50 pp"
                        + " (comparable)",
                "fcnn-small: best low-bit ternary@absmax/tensor W1.58 87.00% (n=1) vs fp32 87.50% (n=1), Δ -0.50 pp"
                        + " (comparable)");
        assertThat(findings.get(1).evidence()).containsExactly(
                "fcnn / ternary@absmax/tensor W1.58: small median 3 (3), large median 3 (3) (does not)",
                "fcnn / ternary@mse/tensor W1.58: small median 4 (> 3), large median 4 (> 3) (does not)");
    }

    @Test
    void f4PairsAlphabetsOfTheSameScaleRuleAndNamesThemBySpec() {
        add(run("fcnn-small", "fp32", fp32(), PLAIN, 1, RunStatus.FINISHED, 0.875, 0));
        add(run("fcnn-small", "binary@mse/tensor", binary(), PLAIN, 1, RunStatus.DIVERGED, 0, 0));
        add(run("fcnn-small", "ternary@mse/tensor", ternary(), PLAIN, 1, RunStatus.FINISHED, 0.870, 0));
        add(run("fcnn-small", "binary@absmax/tensor", binary(), PLAIN, 1, RunStatus.FINISHED, 0.860, 0));
        add(run("fcnn-small", "ternary@absmax/tensor", ternary(), PLAIN, 1, RunStatus.FINISHED, 0.850, 0));

        Finding f4 = judge().get(3);

        assertThat(f4.summary()).isEqualTo("Adding zero helped in 1 of 2 pairs.");
        assertThat(f4.evidence()).containsExactly(
                "fcnn-small: binary@absmax/tensor W1 -> ternary@absmax/tensor W1.58: unstable 0/1 -> 0/1, accuracy"
                        + " 86.00% (n=1) -> 85.00% (n=1) (zero does not help)",
                "fcnn-small: binary@mse/tensor W1 -> ternary@mse/tensor W1.58: unstable 1/1 -> 0/1, accuracy no"
                        + " finished seed -> 87.00% (n=1) (zero helps)");
    }

    private List<Finding> judge() {
        runs.sort(StoredRun.REPORT_ORDER);
        return Findings.judge(new Study(runs, 0.01));
    }

    private void add(String architecture, QuantizerRecord quantizer, long seed, double test, double... validation) {
        add(architecture, quantizer.id(), quantizer, seed, test, validation);
    }

    private void add(String architecture, String spec, QuantizerRecord quantizer, long seed, double test,
            double... validation) {
        List<EpochRecord> epochs = ResultsFixture.epochs(validation);
        RunConfig config = ResultsFixture.config("quick", architecture, spec, seed);
        runs.add(new StoredRun(ResultsFixture.finished(architecture + "-" + spec + "-s" + seed, config,
                quantizer, ResultsFixture.FP32_MEMORY, epochs, test), epochs));
    }

    private void add(StoredRun run) {
        runs.add(run);
    }

    /** A run with three epochs at 0.85 validation accuracy, {@code spikes} loss spikes in the last. */
    private static StoredRun run(String architecture, QuantizerRecord quantizer, Recipe recipe, long seed,
            RunStatus status, double test, int spikes) {
        return run(architecture, quantizer.id(), quantizer, recipe, seed, status, test, spikes);
    }

    private static StoredRun run(String architecture, String spec, QuantizerRecord quantizer, Recipe recipe, long seed,
            RunStatus status, double test, int spikes) {
        RunConfig config = ResultsFixture.config("quick", architecture, spec, seed).withRecipe(recipe);
        List<EpochRecord> epochs = new ArrayList<>();
        int trained = status == RunStatus.DIVERGED ? 1 : 3;
        for (int e = 1; e <= trained; e++) {
            epochs.add(new EpochRecord(e, 0.5, 0.85, 0.5, 0.85, 1.0, 0.001, 0.01, 0.0, e == 3 ? spikes : 0, Map.of()));
        }
        String id = architecture + "-" + spec + "-" + recipe.name() + "-s" + seed;
        RunRecord record = new RunRecord(id, status, null, config, quantizer, ResultsFixture.FP32_MEMORY,
                ResultsFixture.MODEL, status == RunStatus.DIVERGED ? 1 : 3, status == RunStatus.DIVERGED ? 2 : null,
                null, 0.85, test, 0.4, "2025-01-01T10:00:00Z", "2025-01-01T10:01:00Z", Map.of());
        return new StoredRun(record, epochs);
    }

    private static QuantizerRecord fp32() {
        return ResultsFixture.fp32();
    }

    private static QuantizerRecord binary() {
        return ResultsFixture.binary();
    }

    private static QuantizerRecord ternary() {
        return ResultsFixture.ternary();
    }

    private static QuantizerRecord quaternary() {
        return new QuantizerRecord("quaternary", 4, List.of(-2.0, -1.0, 1.0, 2.0), false, 2, "mse/tensor");
    }

    private static QuantizerRecord quinary() {
        return new QuantizerRecord("quinary", 5, List.of(-2.0, -1.0, 0.0, 1.0, 2.0), true,
                Math.log(5) / Math.log(2), "mse/tensor");
    }
}
