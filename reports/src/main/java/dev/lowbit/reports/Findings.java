package dev.lowbit.reports;

import dev.lowbit.format.result.RunStatus;
import dev.lowbit.reports.Finding.Part;
import dev.lowbit.reports.Finding.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges the study's five findings (paper.md F1-F5) from the stored runs alone, from intervals over
 * seeds, never from means alone.
 *
 * <p><b>The test.</b> Every aspect of a claim is one effect measured per seed: a difference between
 * two runs trained with the same seed (a low-bit run and its fp32 twin, augmentation off and on,
 * an alphabet without and with zero). The seed fixes the initial weights, the validation split and
 * the shuffling, so a difference within one seed cancels what the seed alone does: a paired
 * comparison, narrower than Welch's test on the two arms would be. The comparisons of one seed (the
 * architectures, recipes and alphabets the claim speaks of) are averaged into one number per seed,
 * and the interval is Student's t over those per-seed numbers at the report's confidence. So each
 * aspect is one test, whatever the grid's size (32 zero pairs judged one by one at 95% would
 * produce a "significant" pair by chance), and comparisons that share a seed and an fp32 twin are
 * not counted as independent.
 *
 * <p><b>The verdict.</b> Confirmed when the whole interval lies on the claim's side of its
 * threshold, refuted when it lies wholly on the other side; otherwise "consistent, not significant"
 * or "inconsistent, not significant" by the side of the mean; "not enough seeds" when fewer seeds
 * than the report's minimum (never below 2) were measured, so a one-seed study is never confirmed or
 * refuted. A claim with two aspects combines them as it reads: F4 ("stable and prevents
 * degradation") needs both, F3 ("can destabilize") either.
 *
 * <p>A diverged or failed seed has no test accuracy: it is left out of accuracy effects and counted
 * in stability ones (a diverged run is unstable; a failed one is the harness's error, not training's).
 *
 * <p>The findings are claims about low-bit weights: only run groups that quantize weights alone, with
 * a preset layer policy, are judged ({@link SchemeLabel#weightsOnly}). A run with quantized activations
 * or a layer map would let "5-level weights match fp32" pass or fail on something else; the page says
 * how many groups were left out ({@link #leftOut}).
 */
final class Findings {

    private static final Pattern SIZED = Pattern.compile("(.+)-(small|large)");

    /** F2's margin for "large models match within the same number of epochs": less than one epoch more. */
    private static final double SAME_EPOCHS_MARGIN = 1.0;

    private final Study study;
    private final ReportOptions options;
    /** The groups the findings judge: weights alone, preset layer policy. */
    private final List<RunGroup> judged;

    private Findings(Study study) {
        this.study = study;
        this.options = study.options();
        this.judged =
                study.groups().stream().filter(g -> g.scheme().weightsOnly()).toList();
    }

    /**
     * One sentence for the page saying which run groups the findings leave out (quantized activations
     * or a layer map), or empty when every group is judged.
     */
    static String leftOut(Study study) {
        long activations =
                study.groups().stream().filter(g -> g.activations().quantizes()).count();
        long layerMaps = study.groups().stream()
                .filter(g ->
                        !g.activations().quantizes() && g.scheme().layerMap().isPresent())
                .count();
        if (activations + layerMaps == 0) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        if (activations > 0) {
            parts.add(activations + " with quantized activations (W/A bits such as W1.58A8)");
        }
        if (layerMaps > 0) {
            parts.add(layerMaps + " with a layer map");
        }
        return "The findings are about low-bit weights, so they judge only run groups that quantize weights alone"
                + " with a preset layer policy; " + (activations + layerMaps) + " of the "
                + study.groups().size()
                + " groups are left out of F1-F5: " + String.join(" and ", parts)
                + ". They are in the tables and charts.";
    }

    /** How every verdict is reached, for the top of the findings: the test, the thresholds and why. */
    static String method(ReportOptions options) {
        return "Each aspect of a claim is one effect measured per seed: the difference between two runs trained with"
                + " the same seed (which fixes the initial weights, the validation split and the shuffling), averaged"
                + " over the comparisons the claim speaks of, with a " + options.confidenceLabel() + " Student-t"
                + " interval over the seeds (a paired comparison). Confirmed when the whole interval is on the"
                + " claim's side of its threshold, refuted when it is wholly on the other side; otherwise consistent"
                + " or inconsistent by the mean, not significant; not enough seeds below " + options.minSeeds()
                + ". \"Comparable\" means at most " + points(options.tolerancePoints()) + " pp below the fp32 twin"
                + " (the parity tolerance). Change them with lowbit report --parity-tolerance, --confidence and"
                + " --min-seeds.";
    }

    /** F1 to F5 in order. */
    static List<Finding> judge(Study study) {
        Findings findings = new Findings(study);
        return List.of(findings.f1(), findings.f2(), findings.f3(), findings.f4(), findings.f5());
    }

    private Finding f1() {
        String claim = "Low-bit models reach results comparable to 32-bit models.";
        String rule = "For each fp32 run group (architecture x recipe), the low-bit alphabet with the highest mean test"
                + " accuracy trained beside it, among those with at least the minimum of finished seeds when any has."
                + " Picking the best by its mean favours it a little; the claim is about what low-bit weights can"
                + " reach, so the best is the one to test.";
        SeedMeans gaps = new SeedMeans();
        List<String> evidence = new ArrayList<>();
        for (RunGroup fp32 : fp32Groups()) {
            Optional<RunGroup> best = best(lowBitBeside(fp32));
            if (best.isEmpty()) {
                continue;
            }
            Map<Long, Double> gap = gapToTwin(best.get(), fp32);
            gaps.addAll(gap);
            evidence.add(caseName(fp32) + ": best low-bit " + study.series(best.get()) + " "
                    + Formats.meanInterval(best.get().testAccuracy()) + " vs fp32 "
                    + Formats.meanInterval(fp32.testAccuracy()) + ", gap " + effect(gap, PP));
        }
        if (gaps.isEmpty()) {
            return notEnoughRuns(
                    "F1", claim, "No finished low-bit run has a finished fp32 twin of the same seed.", rule);
        }
        Part accuracy = part(
                "Accuracy",
                gaps,
                new Threshold(true, -options.tolerancePoints(), PP),
                "the best low-bit alphabet's test accuracy minus its fp32 twin's, per seed, averaged over "
                        + gaps.comparisons() + " group(s)");
        return new Finding(
                "F1",
                claim,
                accuracy.verdict(),
                "Judged on the gap to fp32 of the best alphabet in " + gaps.comparisons()
                        + " architecture x recipe group(s).",
                List.of(accuracy),
                evidence,
                rule);
    }

    private Finding f2() {
        String claim =
                "Small low-bit models need more epochs to reach 32-bit accuracy; large ones match within the same "
                        + "number of epochs.";
        String rule = "Architectures named <family>-small or <family>-large. Epochs to parity: the first epoch whose"
                + " validation accuracy is within the parity tolerance of the fp32 twin's best; the fp32 twin's own is"
                + " measured the same way, and the effect is the low-bit run's minus its twin's, per seed. A run that"
                + " never reached parity counts as one epoch beyond its last (a lower bound, which can only shrink the"
                + " effect). Both parts must hold.";
        SeedMeans small = new SeedMeans();
        SeedMeans large = new SeedMeans();
        List<String> evidence = new ArrayList<>();
        for (RunGroup group : judged) {
            Matcher sized = SIZED.matcher(group.architecture());
            if (group.isFullPrecision() || !sized.matches()) {
                continue;
            }
            Map<Long, Double> extra = extraEpochs(group);
            if (extra.isEmpty()) {
                continue;
            }
            (sized.group(2).equals("small") ? small : large).addAll(extra);
            String parities = String.join(
                    ", ",
                    study.parities(group).stream()
                            .map(TwinComparison.Parity::label)
                            .toList());
            evidence.add(study.label(group) + ": parity at epoch " + parities + ", extra epochs over fp32 "
                    + effect(extra, EPOCHS));
        }
        if (small.isEmpty() && large.isEmpty()) {
            return notEnoughRuns("F2", claim, "No small or large low-bit model has a finished fp32 twin.", rule);
        }
        Part smallPart = part(
                "Small models",
                small,
                new Threshold(true, 0, EPOCHS),
                "epochs to parity of a small low-bit model minus its fp32 twin's, per seed, averaged over "
                        + small.comparisons() + " group(s)");
        Part largePart = part(
                "Large models",
                large,
                new Threshold(false, SAME_EPOCHS_MARGIN, EPOCHS),
                "the same for the large models, over " + large.comparisons() + " group(s); \"the same number of"
                        + " epochs\" is read as less than one epoch more");
        return new Finding(
                "F2",
                claim,
                both(smallPart.verdict(), largePart.verdict()),
                "Judged on " + small.comparisons() + " small and " + large.comparisons()
                        + " large low-bit run group(s) against their fp32 twins.",
                List.of(smallPart, largePart),
                evidence,
                rule);
    }

    private Finding f3() {
        String claim = "Data augmentation can destabilize the training of low-bit models.";
        String rule =
                "Run groups that differ only in the recipe's augmentation (none vs a named set). Unstable: the run"
                        + " diverged or had a loss spike (a batch loss above 3x the median of its epoch's earlier batches)."
                        + " The gap is a low-bit run's test accuracy minus its fp32 twin's in the same recipe and seed. Either"
                        + " part suffices (\"can destabilize\"); refuted only when both are.";
        SeedMeans stability = new SeedMeans();
        SeedMeans degradation = new SeedMeans();
        int[] fp32 = new int[4]; // unstable with, runs with, unstable without, runs without
        List<String> evidence = new ArrayList<>();
        for (Pairs.Pair pair : Pairs.augmentation(judged)) {
            RunGroup plain = pair.without();
            RunGroup augmented = pair.with();
            if (augmented.isFullPrecision()) {
                fp32[0] += augmented.unstable().size();
                fp32[1] += trained(augmented);
                fp32[2] += plain.unstable().size();
                fp32[3] += trained(plain);
                continue;
            }
            Map<Long, Double> unstable = difference(instability(augmented), instability(plain));
            stability.addAll(unstable);
            Map<Long, Double> widening = difference(gapToTwin(augmented), gapToTwin(plain));
            degradation.addAll(widening);
            evidence.add(study.label(plain) + ": unstable " + plain.unstable().size() + "/" + trained(plain) + " -> "
                    + augmented.unstable().size() + "/" + trained(augmented) + " with '"
                    + augmented.key().recipe().augmentation() + "'; gap to fp32 " + meanGap(plain) + " -> "
                    + meanGap(augmented) + ", change " + effect(widening, PP));
        }
        if (stability.isEmpty()) {
            return notEnoughRuns(
                    "F3", claim, "No low-bit run group was trained both with and without augmentation.", rule);
        }
        if (fp32[1] > 0) {
            evidence.add("fp32 for reference: unstable " + fp32[2] + "/" + fp32[3] + " without augmentation, " + fp32[0]
                    + "/" + fp32[1] + " with");
        }
        Part stabilityPart = part(
                "Stability",
                stability,
                new Threshold(true, 0, PP_RUNS),
                "share of unstable low-bit runs with augmentation minus without, per seed, over "
                        + stability.comparisons() + " pair(s)");
        Part degradationPart = part(
                "Degradation",
                degradation,
                new Threshold(false, 0, PP),
                "the low-bit gap to fp32 with augmentation minus without (negative: augmentation widens the gap),"
                        + " per seed, over " + degradation.comparisons() + " pair(s)");
        return new Finding(
                "F3",
                claim,
                either(stabilityPart.verdict(), degradationPart.verdict()),
                "Judged on " + stability.comparisons() + " low-bit pair(s) trained without and with augmentation:"
                        + " stability and the gap to fp32.",
                List.of(stabilityPart, degradationPart),
                evidence,
                rule);
    }

    private Finding f4() {
        String claim = "Including zero among the weight values keeps training stable and prevents degradation.";
        String rule = "Pairs of alphabets where one is the other plus zero (binary {-1,1} and ternary {-1,0,1},"
                + " quaternary and quinary, k8 and k9, k16 and k17), same architecture, recipe and scale rule. Unstable:"
                + " diverged or a loss spike. Both parts must hold. The partner with zero also has one more level, so"
                + " these pairs cannot tell zero apart from the extra level.";
        SeedMeans stability = new SeedMeans();
        SeedMeans degradation = new SeedMeans();
        List<String> evidence = new ArrayList<>();
        for (Pairs.Pair pair : Pairs.zero(judged)) {
            RunGroup without = pair.without();
            RunGroup withZero = pair.with();
            Map<Long, Double> steadier = difference(instability(without), instability(withZero));
            stability.addAll(steadier);
            Map<Long, Double> narrower = difference(accuracyPoints(withZero), accuracyPoints(without));
            degradation.addAll(narrower);
            evidence.add(caseName(withZero) + ": " + study.series(without) + " -> " + study.series(withZero)
                    + ": unstable " + without.unstable().size() + "/" + trained(without) + " -> "
                    + withZero.unstable().size() + "/" + trained(withZero) + "; gap to fp32 " + meanGap(without)
                    + " -> " + meanGap(withZero) + ", change " + effect(narrower, PP));
        }
        if (stability.isEmpty()) {
            return notEnoughRuns("F4", claim, "No alphabet was trained beside its with-zero partner.", rule);
        }
        Part stabilityPart = part(
                "Stability",
                stability,
                new Threshold(true, 0, PP_RUNS),
                "share of unstable runs without zero minus with zero, per seed, over " + stability.comparisons()
                        + " pair(s)");
        Part degradationPart = part(
                "Degradation",
                degradation,
                new Threshold(true, 0, PP),
                "test accuracy with zero minus without (the gap to fp32 narrows by this much), per seed, over "
                        + degradation.comparisons() + " pair(s)");
        return new Finding(
                "F4",
                claim,
                both(stabilityPart.verdict(), degradationPart.verdict()),
                "Judged on " + stability.comparisons() + " alphabet pair(s) without and with zero: stability and the"
                        + " gap to fp32.",
                List.of(stabilityPart, degradationPart),
                evidence,
                rule);
    }

    private Finding f5() {
        String claim =
                "2.32-bit weights (5 levels) are the best balance of memory, accuracy and efficiency (~12x less memory).";
        String rule =
                "Each fp32 run group beside which the 5 levels {-2..2} and at least one alphabet of fewer levels were"
                        + " trained. The best balance: 5 levels are comparable to fp32 and the best alphabet of fewer levels"
                        + " (highest mean) is not; both parts must hold. Memory is the packed file when one was written, else"
                        + " the ideal size; it is shown, not tested.";
        SeedMeans five = new SeedMeans();
        SeedMeans fewer = new SeedMeans();
        List<String> evidence = new ArrayList<>();
        for (RunGroup fp32 : fp32Groups()) {
            List<RunGroup> lowBit = lowBitBeside(fp32);
            Optional<RunGroup> quinary = lowBit.stream()
                    .filter(g -> g.quantizer().levels() == 5 && g.quantizer().hasZero())
                    .findFirst();
            Optional<RunGroup> bestFewer =
                    best(lowBit.stream().filter(g -> g.quantizer().levels() < 5).toList());
            if (quinary.isEmpty() || bestFewer.isEmpty()) {
                continue;
            }
            Map<Long, Double> fiveGap = gapToTwin(quinary.get(), fp32);
            Map<Long, Double> fewerGap = gapToTwin(bestFewer.get(), fp32);
            five.addAll(fiveGap);
            fewer.addAll(fewerGap);
            evidence.add(caseName(fp32) + ": 5 levels gap " + effect(fiveGap, PP) + ", "
                    + compression(fp32, quinary.get()) + "; best of fewer levels " + study.series(bestFewer.get())
                    + " gap " + effect(fewerGap, PP));
        }
        if (five.isEmpty()) {
            return notEnoughRuns(
                    "F5",
                    claim,
                    "No fp32 group has 5 levels and an alphabet of fewer levels trained beside it, finished with the"
                            + " same seeds.",
                    rule);
        }
        Part fivePart = part(
                "5 levels comparable",
                five,
                new Threshold(true, -options.tolerancePoints(), PP),
                "5-level test accuracy minus fp32's, per seed, over " + five.comparisons() + " group(s)");
        Part fewerPart = part(
                "Fewer levels fall short",
                fewer,
                new Threshold(false, -options.tolerancePoints(), PP),
                "the best alphabet of fewer levels minus fp32, per seed, over " + fewer.comparisons() + " group(s)");
        return new Finding(
                "F5",
                claim,
                both(fivePart.verdict(), fewerPart.verdict()),
                "Judged on " + five.comparisons() + " architecture x recipe group(s) with 5 levels and fewer trained"
                        + " beside fp32.",
                List.of(fivePart, fewerPart),
                evidence,
                rule);
    }

    // ---------------------------------------------------------------------------------------------
    // Effects per seed

    /**
     * Per-seed values of one effect, gathered from several comparisons and averaged per seed: the
     * seed, not the comparison, is the unit the interval is taken over.
     */
    private static final class SeedMeans {
        private final List<Map<Long, Double>> comparisons = new ArrayList<>();

        void addAll(Map<Long, Double> values) {
            if (!values.isEmpty()) {
                comparisons.add(values);
            }
        }

        boolean isEmpty() {
            return comparisons.isEmpty();
        }

        int comparisons() {
            return comparisons.size();
        }

        /**
         * The comparisons with at least {@code minSeeds} seeds, or all when none has: one that is still
         * training (or lost seeds to divergence) would otherwise weigh on some seeds' means and not on
         * others', and could make the per-seed means agree by chance.
         */
        List<Map<Long, Double>> counted(int minSeeds) {
            List<Map<Long, Double>> enough =
                    comparisons.stream().filter(c -> c.size() >= minSeeds).toList();
            return enough.isEmpty() ? comparisons : enough;
        }

        /** Whether some comparison has the minimum of seeds, so the effect may be judged at all. */
        boolean judgeable(int minSeeds) {
            return comparisons.stream().anyMatch(c -> c.size() >= minSeeds);
        }

        /** The per-seed means of {@code counted} (see {@link #counted}) with their interval. */
        static Summary summary(List<Map<Long, Double>> counted, double confidence) {
            Map<Long, DoubleSummaryStatistics> bySeed = new TreeMap<>();
            for (Map<Long, Double> comparison : counted) {
                comparison.forEach((seed, value) -> bySeed.computeIfAbsent(seed, k -> new DoubleSummaryStatistics())
                        .accept(value));
            }
            return Summary.of(
                    bySeed.values().stream()
                            .mapToDouble(DoubleSummaryStatistics::getAverage)
                            .toArray(),
                    confidence);
        }
    }

    /**
     * Which side of which value a claim puts its effect on.
     *
     * @param above the claim says the effect is above {@code value} (else below)
     * @param value the threshold, in {@code unit}
     * @param unit how the effect is measured, e.g. {@code pp}
     */
    private record Threshold(boolean above, double value, String unit) {

        /** The verdict of an effect measured over enough seeds (see {@link Findings#part}). */
        Verdict judge(Summary effect) {
            double sign = above ? 1 : -1;
            // Rounding slack: an interval of identical per-seed values has a width of exactly zero,
            // and must not miss or pass its threshold by the last bit of a sum.
            double slack = 1e-9;
            if (sign * (effect.low() - value) > slack && sign * (effect.high() - value) > slack) {
                return Verdict.CONFIRMED;
            }
            if (sign * (effect.low() - value) < -slack && sign * (effect.high() - value) < -slack) {
                return Verdict.REFUTED;
            }
            return sign * (effect.mean() - value) > slack ? Verdict.CONSISTENT : Verdict.INCONSISTENT;
        }

        String text() {
            String side = above ? "above" : "below";
            String other = above ? "below" : "above";
            String units = Math.abs(value) == 1 && unit.equals(EPOCHS) ? "epoch" : unit;
            return "confirmed when the whole interval is " + side + " " + points(value) + " " + units
                    + ", refuted when it is wholly " + other;
        }
    }

    private static final String PP = "pp";
    private static final String PP_RUNS = "pp of runs";
    private static final String EPOCHS = "epochs";

    private Part part(String aspect, SeedMeans means, Threshold threshold, String measure) {
        if (means.isEmpty()) {
            return new Part(aspect, Verdict.NOT_ENOUGH_RUNS, "no comparison", measure, threshold.text());
        }
        int minSeeds = options.minSeeds();
        List<Map<Long, Double>> counted = means.counted(minSeeds);
        Summary effect = SeedMeans.summary(counted, options.confidence());
        // Judged only when some comparison has the minimum of seeds; the counted ones then span at least that many.
        Verdict verdict = means.judgeable(minSeeds) ? threshold.judge(effect) : Verdict.NOT_ENOUGH_SEEDS;
        int leftOut = means.comparisons() - counted.size();
        String countedMeasure =
                leftOut == 0 ? measure : measure + " (" + leftOut + " with fewer than " + minSeeds + " seeds left out)";
        return new Part(aspect, verdict, effectText(effect, threshold.unit()), countedMeasure, threshold.text());
    }

    /** {@code n = 3 seeds: -0.42 pp, 95% interval -0.90 to +0.06}, or without an interval below 2 seeds. */
    private String effectText(Summary effect, String unit) {
        String n = "n = " + effect.n() + (effect.n() == 1 ? " seed" : " seeds");
        if (effect.n() < 2) {
            return n + ": " + Formats.signed(effect.mean()) + " " + unit + ", no interval from one seed";
        }
        return n + ": " + Formats.signed(effect.mean()) + " " + unit + ", " + options.confidenceLabel() + " interval "
                + Formats.signed(effect.low()) + " to " + Formats.signed(effect.high());
    }

    /** One comparison's effect for an evidence line: {@code -0.42 ± 0.48 pp (n=3)}. */
    private String effect(Map<Long, Double> perSeed, String unit) {
        if (perSeed.isEmpty()) {
            return "not measured (no seed finished on both sides)";
        }
        Summary summary = Summary.of(
                perSeed.values().stream().mapToDouble(Double::doubleValue).toArray(), options.confidence());
        String interval = summary.n() < 2 ? "" : " ± " + String.format(Locale.ROOT, "%.2f", summary.halfWidth());
        return Formats.signed(summary.mean()) + interval + " " + unit + " (n=" + summary.n() + ")";
    }

    /** A low-bit group's test accuracy minus its fp32 twin group's, per seed both finished, in points. */
    private Map<Long, Double> gapToTwin(RunGroup group) {
        return study.twinOf(group).map(twin -> gapToTwin(group, twin)).orElse(Map.of());
    }

    private static Map<Long, Double> gapToTwin(RunGroup group, RunGroup twin) {
        return difference(accuracyPoints(group), accuracyPoints(twin));
    }

    /** Each finished seed's test accuracy in percent. */
    private static Map<Long, Double> accuracyPoints(RunGroup group) {
        Map<Long, Double> points = new TreeMap<>();
        for (StoredRun run : group.finished()) {
            points.putIfAbsent(run.run().config().seed(), 100 * run.run().testAccuracy());
        }
        return points;
    }

    /** 100 for each seed whose run was unstable (diverged, loss spikes), 0 for a stable one; failed runs left out. */
    private static Map<Long, Double> instability(RunGroup group) {
        Map<Long, Double> bySeed = new TreeMap<>();
        for (StoredRun run : group.runs()) {
            if (run.run().status() != RunStatus.FAILED) {
                bySeed.putIfAbsent(run.run().config().seed(), RunGroup.isUnstable(run) ? 100.0 : 0.0);
            }
        }
        return bySeed;
    }

    /** {@code a - b} for each seed both have. */
    private static Map<Long, Double> difference(Map<Long, Double> a, Map<Long, Double> b) {
        Map<Long, Double> difference = new TreeMap<>();
        a.forEach((seed, value) -> {
            Double other = b.get(seed);
            if (other != null) {
                difference.put(seed, value - other);
            }
        });
        return difference;
    }

    /**
     * Epochs to parity of each seed of a low-bit group minus its fp32 twin run's own (the first epoch
     * the twin came within the tolerance of its best), where both are measurable.
     */
    private Map<Long, Double> extraEpochs(RunGroup group) {
        Map<Long, Double> extra = new TreeMap<>();
        for (StoredRun run : group.runs()) {
            TwinComparison.Parity parity = study.twins().parity(run);
            Optional<StoredRun> twin = study.twins().twinOf(run);
            if (!parity.measurable() || twin.isEmpty()) {
                continue;
            }
            TwinComparison.Parity own = study.twins().parity(twin.get());
            if (own.epoch().isPresent()) {
                extra.putIfAbsent(run.run().config().seed(), (double)
                        (parity.epochOrBeyond() - own.epoch().getAsInt()));
            }
        }
        return extra;
    }

    // ---------------------------------------------------------------------------------------------
    // Combining parts

    /** A claim that needs both parts: refuted by either, confirmed by both. */
    private static Verdict both(Verdict a, Verdict b) {
        if (a == Verdict.REFUTED || b == Verdict.REFUTED) {
            return Verdict.REFUTED;
        }
        Verdict missing = lacking(a, b);
        if (missing != null) {
            return missing;
        }
        if (a == Verdict.CONFIRMED && b == Verdict.CONFIRMED) {
            return Verdict.CONFIRMED;
        }
        return a == Verdict.INCONSISTENT || b == Verdict.INCONSISTENT ? Verdict.INCONSISTENT : Verdict.CONSISTENT;
    }

    /** A claim either part supports: confirmed by either, refuted only by both. */
    private static Verdict either(Verdict a, Verdict b) {
        if (a == Verdict.CONFIRMED || b == Verdict.CONFIRMED) {
            return Verdict.CONFIRMED;
        }
        Verdict missing = lacking(a, b);
        if (missing != null) {
            return missing;
        }
        if (a == Verdict.REFUTED && b == Verdict.REFUTED) {
            return Verdict.REFUTED;
        }
        return a == Verdict.CONSISTENT || b == Verdict.CONSISTENT ? Verdict.CONSISTENT : Verdict.INCONSISTENT;
    }

    /** Not enough runs if a part lacks runs, else not enough seeds if a part lacks seeds, else null. */
    private static Verdict lacking(Verdict a, Verdict b) {
        if (a == Verdict.NOT_ENOUGH_RUNS || b == Verdict.NOT_ENOUGH_RUNS) {
            return Verdict.NOT_ENOUGH_RUNS;
        }
        if (a == Verdict.NOT_ENOUGH_SEEDS || b == Verdict.NOT_ENOUGH_SEEDS) {
            return Verdict.NOT_ENOUGH_SEEDS;
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------

    private List<RunGroup> fp32Groups() {
        return judged.stream()
                .filter(RunGroup::isFullPrecision)
                .filter(g -> !g.testAccuracy().isEmpty())
                .toList();
    }

    /**
     * The group of highest mean test accuracy among those with at least the minimum of finished seeds,
     * or among all when none has: a one-seed mean must not win over a judged one (while a study is
     * still training, or where seeds diverged).
     */
    private Optional<RunGroup> best(List<RunGroup> groups) {
        List<RunGroup> judgeable = groups.stream()
                .filter(g -> g.testAccuracy().n() >= options.minSeeds())
                .toList();
        return (judgeable.isEmpty() ? groups : judgeable)
                .stream().max(Comparator.comparingDouble(g -> g.testAccuracy().mean()));
    }

    /** The low-bit groups whose fp32 twin is {@code fp32}, with at least one finished seed. */
    private List<RunGroup> lowBitBeside(RunGroup fp32) {
        return judged.stream()
                .filter(g -> !g.isFullPrecision() && !g.testAccuracy().isEmpty())
                .filter(g -> study.twinOf(g).filter(fp32::equals).isPresent())
                .toList();
    }

    /** The architecture, and the recipe when the study has several. */
    private String caseName(RunGroup group) {
        return group.architecture()
                + (study.severalRecipes() ? " / " + group.key().recipe().name() : "");
    }

    /** Runs that trained (finished or diverged): those whose stability means something. */
    private static int trained(RunGroup group) {
        return group.runs().size() - group.failed().size();
    }

    /** The mean gap of a group's test accuracy to its fp32 twin's, or a dash. */
    private String meanGap(RunGroup group) {
        return Formats.points(study.deltaPoints(group));
    }

    private static String compression(RunGroup fp32, RunGroup quantized) {
        Optional<Double> fp32Bytes = fp32.memory().map(m -> m.fp32Bytes());
        Optional<Double> stored = quantized.storedBytes();
        if (fp32Bytes.isEmpty() || stored.isEmpty()) {
            return "memory not stored";
        }
        boolean packed = quantized.memory().map(m -> m.packedBytes() != null).orElse(false);
        return Formats.ratio(fp32Bytes.get() / stored.get()) + " less memory (" + (packed ? "packed file" : "ideal")
                + ")";
    }

    /** A threshold as written in a rule: {@code 1}, {@code -0.5}, {@code 0}. */
    private static String points(double value) {
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.2f", value == 0 ? 0.0 : value);
    }

    private static Finding notEnoughRuns(String id, String claim, String why, String rule) {
        return new Finding(id, claim, Verdict.NOT_ENOUGH_RUNS, why, List.of(), List.of(), rule);
    }
}
