package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.reports.Finding.Part;
import dev.lowbit.reports.Finding.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Every verdict category of every finding, on small studies whose intervals are worked out by hand
 * (defaults: tolerance 1 pp, 95%, at least 3 seeds).
 *
 * <p>The per-seed differences are chosen as {@code m - x, m, m + x}: their standard deviation is
 * {@code x}, and the 95% half-width is {@code t(0.975, 2) · x / √3 = 4.3027 · x / 1.7321 = 2.484 · x}.
 * So {@code x = 0.1} gives {@code m ± 0.25} and {@code x = 0.2} gives {@code m ± 0.50}.
 */
class FindingsTest {

    private static final Recipe PLAIN = ResultsFixture.RECIPE;
    private static final Recipe AUGMENTED = new Recipe("augmented", "adam", 0.001, "constant", 64, 3, 0, "standard");
    /** fp32's test accuracy at every seed, in percent. */
    private static final double FP32 = 88;
    /** Validation accuracies reaching parity (0.87) at epoch 1, 2, 3, or never (4 = censored after 3). */
    private static final double[][] PARITY_AT = {
        null, {0.87, 0.87, 0.87}, {0.80, 0.87, 0.87}, {0.80, 0.85, 0.87}, {0.80, 0.84, 0.85}
    };
    /** fp32's validation: best 0.88, so parity is at 0.87 for all; its own parity epoch is given per study. */
    private static final double[] FP32_FAST = {0.88, 0.88, 0.88};

    private static final double[] FP32_SLOW = {0.80, 0.85, 0.88};

    private final List<StoredRun> runs = new ArrayList<>();
    private ReportOptions options = ReportOptions.DEFAULTS;

    @Test
    void withoutRunsEveryFindingSaysNotEnoughRuns() {
        assertThat(judge()).extracting(Finding::verdict).containsOnly(Verdict.NOT_ENOUGH_RUNS);
        assertThat(judge()).extracting(Finding::id).containsExactly("F1", "F2", "F3", "F4", "F5");
    }

    @Test
    void aOneSeedStudyNeverConfirmsOrRefutes() {
        // The quick suite's shape: one seed, fp32 + binary + ternary + quinary, a large margin either way.
        accuracies("fcnn-small", fp32(), FP32);
        accuracies("fcnn-small", binary(), 70);
        accuracies("fcnn-small", ternary(), 87.8);
        accuracies("fcnn-small", quinary(), 87.9);

        List<Finding> findings = judge();

        assertThat(findings)
                .extracting(Finding::verdict)
                .doesNotContain(Verdict.CONFIRMED, Verdict.REFUTED, Verdict.CONSISTENT, Verdict.INCONSISTENT);
        assertThat(findings.get(0).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);
        assertThat(findings.get(0).parts().get(0).effect())
                .isEqualTo("n = 1 seed: -0.10 pp, no interval from one seed");
    }

    @Nested
    class F1 {

        @Test
        void confirmedWhenTheWholeIntervalIsWithinTolerance() {
            bestAlphabetGap(-0.5, 0.1); // -0.50 ± 0.25: above -1
            Finding f1 = judge().get(0);
            assertThat(f1.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f1.parts())
                    .extracting(Part::effect)
                    .containsExactly("n = 3 seeds: -0.50 pp, 95% interval -0.75 to -0.25");
            assertThat(f1.parts().get(0).test())
                    .isEqualTo("confirmed when the whole interval is above -1 pp, refuted when it is wholly below");
            assertThat(f1.evidence())
                    .containsExactly("fcnn-small: best low-bit ternary W1.58 87.50% ± 0.25 vs fp32"
                            + " 88.00% ± 0.00, gap -0.50 ± 0.25 pp (n=3)");
        }

        @Test
        void refutedWhenTheWholeIntervalIsBeyondTolerance() {
            bestAlphabetGap(-2, 0.1); // -2.00 ± 0.25
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void consistentWhenTheIntervalStraddlesAndTheMeanIsWithin() {
            bestAlphabetGap(-0.9, 0.2); // -0.90 ± 0.50
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void inconsistentWhenTheIntervalStraddlesAndTheMeanIsBeyond() {
            bestAlphabetGap(-1.1, 0.2); // -1.10 ± 0.50
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.INCONSISTENT);
        }

        @Test
        void notEnoughSeedsBelowTheMinimumAndJudgedWhenTheMinimumIsLowered() {
            accuracies("fcnn-small", fp32(), FP32, FP32);
            accuracies("fcnn-small", ternary(), 87.5, 87.6);
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);

            options = new ReportOptions(0.01, 0.95, 2); // -0.45 ± 12.706 · 0.0707 / √2 = ± 0.64: straddles -1
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void notEnoughRunsWithoutAnFp32Twin() {
            accuracies("fcnn-small", ternary(), 87.5, 87.6, 87.7);
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
        }

        @Test
        void theBestAlphabetIsTheOneTested() {
            bestAlphabetGap(-0.5, 0.1);
            accuracies("fcnn-small", binary(), 80, 80, 80);
            assertThat(judge().get(0).verdict()).isEqualTo(Verdict.CONFIRMED);
        }

        @Test
        void aBetterMeanOfOneSeedDoesNotDisplaceAnAlphabetWithEnoughSeeds() {
            bestAlphabetGap(-0.5, 0.1);
            accuracies("fcnn-small", quinary(), FP32 + 1); // one seed so far, above everything
            Finding f1 = judge().get(0);
            assertThat(f1.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f1.evidence()).singleElement().asString().contains("best low-bit ternary W1.58");
        }

        @Test
        void theConfidenceLevelWidensTheInterval() {
            bestAlphabetGap(-0.5, 0.1); // at 99.9%, t(0.9995, 2) = 31.6: -0.50 ± 1.82 straddles -1
            options = new ReportOptions(0.01, 0.999, 3);
            Finding f1 = judge().get(0);
            assertThat(f1.verdict()).isEqualTo(Verdict.CONSISTENT);
            assertThat(f1.parts().get(0).effect()).startsWith("n = 3 seeds: -0.50 pp, 99.9% interval -2.32 to");
        }

        private void bestAlphabetGap(double mean, double spread) {
            accuracies("fcnn-small", fp32(), FP32, FP32, FP32);
            accuracies("fcnn-small", ternary(), FP32 + mean - spread, FP32 + mean, FP32 + mean + spread);
        }
    }

    @Nested
    class F2 {

        @Test
        void confirmedWhenSmallModelsNeedMoreEpochsAndLargeOnesDoNot() {
            extraEpochs("fcnn-small", FP32_FAST, 3, 3, 3); // +2 at every seed: +2 ± 0
            extraEpochs("fcnn-large", FP32_FAST, 1, 1, 1); // +0 ± 0: below 1
            Finding f2 = judge().get(1);
            assertThat(f2.parts()).extracting(Part::verdict).containsExactly(Verdict.CONFIRMED, Verdict.CONFIRMED);
            assertThat(f2.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f2.evidence())
                    .contains("fcnn-small / ternary W1.58: parity at epoch 3, 3, 3, extra epochs over"
                            + " fp32 +2.00 ± 0.00 epochs (n=3)");
        }

        @Test
        void refutedWhenSmallModelsReachParityBeforeTheirTwin() {
            extraEpochs("fcnn-small", FP32_SLOW, 1, 1, 1); // parity at 1, fp32's own at 3: -2 ± 0
            extraEpochs("fcnn-large", FP32_FAST, 1, 1, 1);
            assertThat(judge().get(1).verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void refutedWhenLargeModelsNeedMoreThanAnEpochMore() {
            extraEpochs("fcnn-small", FP32_FAST, 3, 3, 3);
            extraEpochs("fcnn-large", FP32_FAST, 4, 4, 4); // censored: counts as 4, +3 ± 0
            Finding f2 = judge().get(1);
            assertThat(f2.parts()).extracting(Part::verdict).containsExactly(Verdict.CONFIRMED, Verdict.REFUTED);
            assertThat(f2.verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void consistentWhenTheSmallModelsIntervalStraddlesZero() {
            extraEpochs("fcnn-small", FP32_FAST, 1, 2, 3); // 0, 1, 2: +1 ± 2.48
            extraEpochs("fcnn-large", FP32_FAST, 1, 1, 1);
            assertThat(judge().get(1).verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void inconsistentWhenTheLargeModelsMeanIsBeyondOneEpoch() {
            extraEpochs("fcnn-small", FP32_FAST, 2, 1, 1); // 1, 0, 0: +0.33 ± 1.43 straddles, mean > 0 ...
            extraEpochs("fcnn-large", FP32_FAST, 1, 2, 4); // ... but large 0, 1, 3: +1.33 ± 3.8, mean above 1
            Finding f2 = judge().get(1);
            assertThat(f2.parts()).extracting(Part::verdict).containsExactly(Verdict.CONSISTENT, Verdict.INCONSISTENT);
            assertThat(f2.verdict()).isEqualTo(Verdict.INCONSISTENT);
        }

        @Test
        void aComparisonWithFewerSeedsThanTheMinimumDoesNotCount() {
            extraEpochs("fcnn-small", FP32_FAST, 3, 2, 4); // +2, +1, +3: +2 ± 2.48, consistent
            extraEpochs("fcnn-large", FP32_FAST, 1, 1, 1);
            add(run("vit-small", fp32(), PLAIN, 1, RunStatus.FINISHED, 0.88, 0, FP32_FAST));
            add(run("vit-small", ternary(), PLAIN, 1, RunStatus.FINISHED, 0.87, 0, PARITY_AT[1]));
            // Counted, vit-small's seed 1 (+0) would make the per-seed means 1, 1, 3.
            Part small = judge().get(1).parts().get(0);
            assertThat(small.effect()).isEqualTo("n = 3 seeds: +2.00 epochs, 95% interval -0.48 to +4.48");
            assertThat(small.measure()).endsWith("(1 with fewer than 3 seeds left out)");
        }

        @Test
        void notEnoughSeedsWithTwo() {
            extraEpochs("fcnn-small", FP32_FAST, 3, 2);
            extraEpochs("fcnn-large", FP32_FAST, 1, 1);
            assertThat(judge().get(1).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);
        }

        @Test
        void notEnoughRunsWithoutALargeModel() {
            extraEpochs("fcnn-small", FP32_FAST, 3, 3, 3);
            Finding f2 = judge().get(1);
            assertThat(f2.parts())
                    .extracting(Part::verdict)
                    .containsExactly(Verdict.CONFIRMED, Verdict.NOT_ENOUGH_RUNS);
            assertThat(f2.verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
        }

        /** An fp32 run and a ternary run per seed, the ternary one reaching parity at the given epochs. */
        private void extraEpochs(String architecture, double[] fp32Validation, int... parityEpochs) {
            for (int i = 0; i < parityEpochs.length; i++) {
                long seed = i + 1L;
                add(run(architecture, fp32(), PLAIN, seed, RunStatus.FINISHED, 0.88, 0, fp32Validation));
                add(run(architecture, ternary(), PLAIN, seed, RunStatus.FINISHED, 0.87, 0, PARITY_AT[parityEpochs[i]]));
            }
        }
    }

    @Nested
    class F3 {

        @Test
        void confirmedByAWidenedGapEvenWhenNoRunWasUnstable() {
            // The case: nothing diverged or spiked, but augmentation widened the gap to fp32.
            augmentation(0, 0, -2, 0.1);
            Finding f3 = judge().get(2);
            assertThat(f3.parts()).extracting(Part::verdict).containsExactly(Verdict.INCONSISTENT, Verdict.CONFIRMED);
            assertThat(f3.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f3.parts().get(1).effect()).isEqualTo("n = 3 seeds: -2.00 pp, 95% interval -2.25 to -1.75");
            assertThat(f3.evidence())
                    .contains("fcnn-small / base / ternary W1.58: unstable 0/3 -> 0/3 with 'standard'; gap to"
                            + " fp32 +0.00 pp -> -2.00 pp, change -2.00 ± 0.25 pp (n=3)");
        }

        @Test
        void confirmedByInstabilityUnderAugmentation() {
            augmentation(0, 3, 0, 0.2); // every augmented seed spikes: +100 ± 0 pp of runs
            assertThat(judge().get(2).parts())
                    .extracting(Part::verdict)
                    .containsExactly(Verdict.CONFIRMED, Verdict.INCONSISTENT);
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.CONFIRMED);
        }

        @Test
        void refutedOnlyWhenBothPartsAre() {
            augmentation(3, 0, +1, 0.1); // steadier and closer to fp32 with augmentation
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void consistentWhenTheGapWidensWithinNoise() {
            augmentation(0, 0, -0.2, 0.2); // -0.20 ± 0.50
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void inconsistentWhenTheGapNarrowsWithinNoise() {
            augmentation(0, 0, +0.2, 0.2);
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.INCONSISTENT);
        }

        @Test
        void notEnoughSeedsWithTwo() {
            for (long seed = 1; seed <= 2; seed++) {
                for (Recipe recipe : List.of(PLAIN, AUGMENTED)) {
                    add(run("fcnn-small", fp32(), recipe, seed, RunStatus.FINISHED, 0.88, 0, FP32_FAST));
                    add(run("fcnn-small", ternary(), recipe, seed, RunStatus.FINISHED, 0.85, 0, FP32_FAST));
                }
            }
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);
        }

        @Test
        void notEnoughRunsWithoutAnAugmentedRecipe() {
            accuracies("fcnn-small", fp32(), FP32, FP32, FP32);
            accuracies("fcnn-small", ternary(), 87, 87, 87);
            assertThat(judge().get(2).verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
        }

        /**
         * fp32 and ternary, plain and augmented, 3 seeds: ternary's gap to fp32 is 0 without
         * augmentation and {@code m - x, m, m + x} with; the first {@code plainSpikes} plain and
         * {@code augmentedSpikes} augmented ternary seeds have a loss spike.
         */
        private void augmentation(int plainSpikes, int augmentedSpikes, double mean, double spread) {
            for (int i = 0; i < 3; i++) {
                long seed = i + 1L;
                double augmentedGap = mean + (i - 1) * spread;
                add(run("fcnn-small", fp32(), PLAIN, seed, RunStatus.FINISHED, 0.88, 0, FP32_FAST));
                add(run("fcnn-small", fp32(), AUGMENTED, seed, RunStatus.FINISHED, 0.87, 0, FP32_FAST));
                add(run(
                        "fcnn-small",
                        ternary(),
                        PLAIN,
                        seed,
                        RunStatus.FINISHED,
                        0.88,
                        i < plainSpikes ? 1 : 0,
                        FP32_FAST));
                add(run(
                        "fcnn-small",
                        ternary(),
                        AUGMENTED,
                        seed,
                        RunStatus.FINISHED,
                        (87 + augmentedGap) / 100,
                        i < augmentedSpikes ? 1 : 0,
                        FP32_FAST));
            }
        }
    }

    @Nested
    class F4 {

        @Test
        void confirmedWhenZeroSteadiesTrainingAndNarrowsTheGap() {
            zeroPair(3, 0, +1, 0.1); // binary spikes at every seed, ternary never; ternary +1 ± 0.25 pp
            Finding f4 = judge().get(3);
            assertThat(f4.parts()).extracting(Part::verdict).containsExactly(Verdict.CONFIRMED, Verdict.CONFIRMED);
            assertThat(f4.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f4.evidence())
                    .containsExactly("fcnn-small: binary W1 -> ternary W1.58: unstable 3/3 -> 0/3; gap"
                            + " to fp32 -2.00 pp -> -1.00 pp, change +1.00 ± 0.25 pp (n=3)");
        }

        @Test
        void refutedWhenZeroWidensTheGap() {
            zeroPair(0, 0, -1, 0.1);
            assertThat(judge().get(3).verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void consistentWhenStabilityImprovesWithinNoise() {
            zeroPair(1, 0, +1, 0.1); // stability 100, 0, 0: +33 ± 143 pp of runs
            Finding f4 = judge().get(3);
            assertThat(f4.parts()).extracting(Part::verdict).containsExactly(Verdict.CONSISTENT, Verdict.CONFIRMED);
            assertThat(f4.verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void inconsistentWhenNothingWasUnstableOnEitherSide() {
            // Zero cannot be shown to keep training stable when training was stable without it too.
            zeroPair(0, 0, +1, 0.1);
            Finding f4 = judge().get(3);
            assertThat(f4.parts()).extracting(Part::verdict).containsExactly(Verdict.INCONSISTENT, Verdict.CONFIRMED);
            assertThat(f4.verdict()).isEqualTo(Verdict.INCONSISTENT);
        }

        @Test
        void notEnoughSeedsWithTwoAndNotEnoughRunsWithoutAPartner() {
            accuracies("fcnn-small", fp32(), FP32, FP32);
            accuracies("fcnn-small", ternary(), 87, 87);
            assertThat(judge().get(3).verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
            accuracies("fcnn-small", binary(), 86, 86);
            assertThat(judge().get(3).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);
        }

        @Test
        void aDivergedSeedCountsAsUnstableAndLeavesTheAccuracyComparison() {
            accuracies("fcnn-small", fp32(), FP32, FP32, FP32);
            for (long seed = 1; seed <= 3; seed++) {
                add(run("fcnn-small", binary(), PLAIN, seed, RunStatus.DIVERGED, 0, 0, FP32_FAST));
                add(run("fcnn-small", ternary(), PLAIN, seed, RunStatus.FINISHED, 0.87, 0, FP32_FAST));
            }
            Finding f4 = judge().get(3);
            assertThat(f4.parts())
                    .extracting(Part::verdict)
                    .containsExactly(Verdict.CONFIRMED, Verdict.NOT_ENOUGH_RUNS);
            assertThat(f4.verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
        }

        /** binary at fp32 - 2 pp, ternary at binary + (m - x, m, m + x); the first spikes seeds of each spike. */
        private void zeroPair(int binarySpikes, int ternarySpikes, double mean, double spread) {
            for (int i = 0; i < 3; i++) {
                long seed = i + 1L;
                add(run("fcnn-small", fp32(), PLAIN, seed, RunStatus.FINISHED, 0.88, 0, FP32_FAST));
                add(run(
                        "fcnn-small",
                        binary(),
                        PLAIN,
                        seed,
                        RunStatus.FINISHED,
                        0.86,
                        i < binarySpikes ? 1 : 0,
                        FP32_FAST));
                add(run(
                        "fcnn-small",
                        ternary(),
                        PLAIN,
                        seed,
                        RunStatus.FINISHED,
                        (86 + mean + (i - 1) * spread) / 100,
                        i < ternarySpikes ? 1 : 0,
                        FP32_FAST));
            }
        }
    }

    @Nested
    class F5 {

        @Test
        void confirmedWhenFiveLevelsAreComparableAndFewerAreNot() {
            fiveAndFewer(-0.5, 0.1, -2);
            Finding f5 = judge().get(4);
            assertThat(f5.verdict()).isEqualTo(Verdict.CONFIRMED);
            assertThat(f5.evidence())
                    .containsExactly("fcnn-small: 5 levels gap -0.50 ± 0.25 pp (n=3), 1.0× less memory"
                            + " (ideal); best of fewer levels ternary W1.58 gap -2.00 ± 0.25 pp (n=3)");
        }

        @Test
        void refutedWhenFewerLevelsAreComparableToo() {
            fiveAndFewer(-0.5, 0.1, -0.5);
            Finding f5 = judge().get(4);
            assertThat(f5.parts()).extracting(Part::verdict).containsExactly(Verdict.CONFIRMED, Verdict.REFUTED);
            assertThat(f5.verdict()).isEqualTo(Verdict.REFUTED);
        }

        @Test
        void consistentWhenFiveLevelsAreWithinToleranceOnlyOnAverage() {
            fiveAndFewer(-0.9, 0.2, -2);
            assertThat(judge().get(4).verdict()).isEqualTo(Verdict.CONSISTENT);
        }

        @Test
        void inconsistentWhenFiveLevelsFallShortOnAverage() {
            fiveAndFewer(-1.1, 0.2, -2);
            assertThat(judge().get(4).verdict()).isEqualTo(Verdict.INCONSISTENT);
        }

        @Test
        void notEnoughSeedsWithTwoAndNotEnoughRunsWithoutAFewerLevelAlphabet() {
            accuracies("fcnn-small", fp32(), FP32, FP32);
            accuracies("fcnn-small", quinary(), 87.5, 87.5);
            assertThat(judge().get(4).verdict()).isEqualTo(Verdict.NOT_ENOUGH_RUNS);
            accuracies("fcnn-small", ternary(), 86, 86);
            assertThat(judge().get(4).verdict()).isEqualTo(Verdict.NOT_ENOUGH_SEEDS);
        }

        /** quinary at fp32 + (m - x, m, m + x), ternary at fp32 + fewer (± 0.1). */
        private void fiveAndFewer(double mean, double spread, double fewer) {
            accuracies("fcnn-small", fp32(), FP32, FP32, FP32);
            accuracies("fcnn-small", quinary(), FP32 + mean - spread, FP32 + mean, FP32 + mean + spread);
            accuracies("fcnn-small", ternary(), FP32 + fewer - 0.1, FP32 + fewer, FP32 + fewer + 0.1);
        }
    }

    @Test
    void evidenceNamesEachSpecWhenTwoShareAQuantizerId() {
        accuracies("fcnn-small", "fp32", fp32(), FP32, FP32, FP32);
        accuracies("fcnn-small", "ternary@mse/tensor", ternary(), 85, 85, 85);
        accuracies("fcnn-small", "ternary@absmax/tensor", ternary(), 87, 87, 87);

        assertThat(judge().get(0).evidence())
                .containsExactly("fcnn-small: best low-bit ternary@absmax/tensor W1.58"
                        + " 87.00% ± 0.00 vs fp32 88.00% ± 0.00, gap -1.00 ± 0.00 pp (n=3)");
    }

    @Test
    void zeroPairsKeepToOneScaleRule() {
        accuracies("fcnn-small", "fp32", fp32(), FP32, FP32, FP32);
        accuracies("fcnn-small", "binary@mse/tensor", binary(), 86, 86, 86);
        accuracies("fcnn-small", "ternary@mse/tensor", ternary(), 87, 87, 87);
        accuracies("fcnn-small", "binary@absmax/tensor", binary(), 85, 85, 85);
        accuracies("fcnn-small", "ternary@absmax/tensor", ternary(), 84, 84, 84);

        assertThat(judge().get(3).evidence())
                .containsExactly(
                        "fcnn-small: binary@absmax/tensor W1 -> ternary@absmax/tensor W1.58: unstable 0/3 -> 0/3; gap to fp32"
                                + " -3.00 pp -> -4.00 pp, change -1.00 ± 0.00 pp (n=3)",
                        "fcnn-small: binary@mse/tensor W1 -> ternary@mse/tensor W1.58: unstable 0/3 -> 0/3; gap to fp32"
                                + " -2.00 pp -> -1.00 pp, change +1.00 ± 0.00 pp (n=3)");
    }

    private List<Finding> judge() {
        runs.sort(StoredRun.REPORT_ORDER);
        return Findings.judge(new Study(runs, options));
    }

    private void add(StoredRun run) {
        runs.add(run);
    }

    /** One finished run per seed (1, 2, ...) with these test accuracies in percent, at parity from epoch 1. */
    private void accuracies(String architecture, QuantizerRecord quantizer, double... percent) {
        accuracies(architecture, quantizer.id(), quantizer, percent);
    }

    private void accuracies(String architecture, String spec, QuantizerRecord quantizer, double... percent) {
        for (int i = 0; i < percent.length; i++) {
            add(run(architecture, spec, quantizer, PLAIN, i + 1, RunStatus.FINISHED, percent[i] / 100, 0, FP32_FAST));
        }
    }

    private static StoredRun run(
            String architecture,
            QuantizerRecord quantizer,
            Recipe recipe,
            long seed,
            RunStatus status,
            double test,
            int spikes,
            double[] validation) {
        return run(architecture, quantizer.id(), quantizer, recipe, seed, status, test, spikes, validation);
    }

    /** A run whose epochs have these validation accuracies, {@code spikes} loss spikes in the last. */
    private static StoredRun run(
            String architecture,
            String spec,
            QuantizerRecord quantizer,
            Recipe recipe,
            long seed,
            RunStatus status,
            double test,
            int spikes,
            double[] validation) {
        RunConfig config =
                ResultsFixture.config("quick", architecture, spec, seed).withRecipe(recipe);
        List<EpochRecord> epochs = new ArrayList<>();
        int trained = status == RunStatus.DIVERGED ? 1 : validation.length;
        for (int e = 1; e <= trained; e++) {
            epochs.add(new EpochRecord(
                    e,
                    0.5,
                    validation[e - 1],
                    0.5,
                    validation[e - 1],
                    1.0,
                    0.001,
                    0.01,
                    0.0,
                    e == trained ? spikes : 0,
                    Map.of()));
        }
        double best = epochs.stream()
                .mapToDouble(EpochRecord::validationAccuracy)
                .max()
                .orElse(0);
        String id = architecture + "-" + spec + "-" + recipe.name() + "-s" + seed;
        RunRecord record = new RunRecord(
                id,
                status,
                null,
                config,
                quantizer,
                ResultsFixture.FP32_MEMORY,
                ResultsFixture.MODEL,
                trained,
                status == RunStatus.DIVERGED ? 2 : null,
                null,
                best,
                status == RunStatus.DIVERGED ? 0 : test,
                0.4,
                "2025-01-01T10:00:00Z",
                "2025-01-01T10:01:00Z",
                Map.of());
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

    private static QuantizerRecord quinary() {
        return new QuantizerRecord(
                "quinary", 5, List.of(-2.0, -1.0, 0.0, 1.0, 2.0), true, Math.log(5) / Math.log(2), "mse/tensor");
    }
}
