package dev.lowbit.reports;

import dev.lowbit.reports.Finding.Verdict;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Judges the study's five findings (paper.md F1-F5) from the stored runs alone. Each verdict comes
 * with the comparisons behind it and the rule that decided it; where the runs needed for a finding
 * do not exist, the verdict says so instead of guessing.
 *
 * <p>"Comparable to fp32" means a mean test accuracy at most the parity tolerance below the fp32
 * twin's (same architecture, recipe, data and seeds). Means are over finished seeds; a diverged
 * seed has no final accuracy and is counted as unstable instead.
 *
 * <p>The findings are claims about low-bit weights: only run groups that quantize weights alone, with
 * a preset layer policy, are judged ({@link SchemeLabel#weightsOnly}). A run with quantized activations
 * or a layer map would let "5-level weights match fp32" pass or fail on something else; the page says
 * how many groups were left out ({@link #leftOut}).
 */
final class Findings {

    private static final Pattern SIZED = Pattern.compile("(.+)-(small|large)");

    private final Study study;
    /** The groups the findings judge: weights alone, preset layer policy. */
    private final List<RunGroup> judged;

    private Findings(Study study) {
        this.study = study;
        this.judged = study.groups().stream().filter(g -> g.scheme().weightsOnly()).toList();
    }

    /**
     * One sentence for the page saying which run groups the findings leave out (quantized activations
     * or a layer map), or empty when every group is judged.
     */
    static String leftOut(Study study) {
        long activations = study.groups().stream().filter(g -> g.activations().quantizes()).count();
        long layerMaps = study.groups().stream()
                .filter(g -> !g.activations().quantizes() && g.scheme().layerMap().isPresent()).count();
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
                + " with a preset layer policy; " + (activations + layerMaps) + " of the " + study.groups().size()
                + " groups are left out of F1-F5: " + String.join(" and ", parts)
                + ". They are in the tables and charts.";
    }

    /** F1 to F5 in order. */
    static List<Finding> judge(Study study) {
        Findings findings = new Findings(study);
        return List.of(findings.f1(), findings.f2(), findings.f3(), findings.f4(), findings.f5());
    }

    private Finding f1() {
        String claim = "Low-bit models reach results comparable to 32-bit models.";
        String rule = "For each fp32 run group, the best low-bit alphabet trained beside it must come within "
                + points(study.tolerancePoints()) + " pp of its mean test accuracy. Confirmed when that holds for "
                + "every fp32 group, refuted when it fails for any.";
        List<String> evidence = new ArrayList<>();
        int comparisons = 0;
        int comparable = 0;
        for (RunGroup fp32 : fp32Groups()) {
            Optional<RunGroup> best = lowBitBeside(fp32).stream()
                    .max(Comparator.comparingDouble(g -> g.testAccuracy().mean()));
            if (best.isEmpty()) {
                continue;
            }
            double delta = study.deltaPoints(best.get()).orElseThrow();
            boolean holds = delta >= -study.tolerancePoints();
            comparisons++;
            comparable += holds ? 1 : 0;
            evidence.add(fp32.architecture() + recipeSuffix(fp32) + ": best low-bit " + study.series(best.get()) + " "
                    + accuracy(best.get()) + " vs fp32 " + accuracy(fp32) + ", Δ " + Formats.points(OptionalDouble.of(delta))
                    + (holds ? " (comparable)" : " (not comparable)"));
        }
        if (comparisons == 0) {
            return notEnough("F1", claim, "No finished low-bit run has a finished fp32 twin.", rule);
        }
        Verdict verdict = comparable == comparisons ? Verdict.CONFIRMED : Verdict.REFUTED;
        return new Finding("F1", claim, verdict, "In " + comparable + " of " + comparisons
                + " comparisons a low-bit alphabet came within " + points(study.tolerancePoints()) + " pp of fp32.",
                evidence, rule);
    }

    private Finding f2() {
        String claim = "Small low-bit models need more epochs to reach 32-bit accuracy; large ones match within the same "
                + "number of epochs.";
        String rule = "Pairs of architectures named <family>-small and <family>-large trained with the same alphabet and "
                + "recipe. A pair supports the finding when the large model reaches parity (median over seeds) and the "
                + "small one needs more epochs (a censored seed counts as one epoch beyond its run). Confirmed when "
                + "more than half the pairs support it.";
        List<String> evidence = new ArrayList<>();
        int pairs = 0;
        int supporting = 0;
        for (RunGroup small : judged) {
            Matcher sized = SIZED.matcher(small.architecture());
            if (small.isFullPrecision() || !sized.matches() || !sized.group(2).equals("small")) {
                continue;
            }
            RunKey largeKey = new RunKey(small.key().withArchitecture(sized.group(1) + "-large"),
                    small.activations().spec());
            Optional<RunGroup> large = study.group(largeKey);
            if (large.isEmpty()) {
                continue;
            }
            OptionalDouble smallEpochs = study.medianParity(small);
            OptionalDouble largeEpochs = study.medianParity(large.get());
            if (smallEpochs.isEmpty() || largeEpochs.isEmpty()) {
                continue;
            }
            boolean largeReached = largeEpochs.getAsDouble() <= large.get().plannedEpochs()
                    && study.parities(large.get()).stream().anyMatch(p -> p.epoch().isPresent());
            boolean supports = largeReached && smallEpochs.getAsDouble() > largeEpochs.getAsDouble();
            pairs++;
            supporting += supports ? 1 : 0;
            evidence.add(sized.group(1) + " / " + study.series(small) + recipeSuffix(small) + ": small "
                    + parityText(small, smallEpochs.getAsDouble()) + ", large "
                    + parityText(large.get(), largeEpochs.getAsDouble()) + (supports ? " (supports)" : " (does not)"));
        }
        if (pairs == 0) {
            return notEnough("F2", claim, "No low-bit alphabet was trained on both sizes of a family with fp32 twins.",
                    rule);
        }
        return new Finding("F2", claim, pairs < 2 * supporting ? Verdict.CONFIRMED : Verdict.REFUTED,
                supporting + " of " + pairs + " small/large pairs support it.", evidence, rule);
    }

    private Finding f3() {
        String claim = "Data augmentation can destabilize the training of low-bit models.";
        String rule = "Run groups that differ only in the recipe's augmentation (none vs a named set). A run is unstable "
                + "when it diverged or had a loss spike (a batch loss above 3x the median of its epoch's earlier "
                + "batches). Confirmed when the share of unstable low-bit runs is higher with augmentation than "
                + "without; fp32 is shown for reference.";
        List<String> evidence = new ArrayList<>();
        int[] lowBit = new int[4]; // unstable with, runs with, unstable without, runs without
        int[] fp32 = new int[4];
        for (Pairs.Pair pair : Pairs.augmentation(judged)) {
            RunGroup plain = pair.without();
            RunGroup augmented = pair.with();
            int[] tally = augmented.isFullPrecision() ? fp32 : lowBit;
            tally[0] += augmented.unstable().size();
            tally[1] += augmented.runs().size();
            tally[2] += plain.unstable().size();
            tally[3] += plain.runs().size();
            evidence.add(augmented.label() + ": unstable " + plain.unstable().size() + " of "
                    + plain.runs().size() + " without augmentation (" + accuracy(plain) + "), "
                    + augmented.unstable().size() + " of " + augmented.runs().size() + " with '"
                    + augmented.key().recipe().augmentation() + "' (" + accuracy(augmented) + ")");
        }
        if (lowBit[1] == 0 || lowBit[3] == 0) {
            return notEnough("F3", claim, "No low-bit run group was trained both with and without augmentation.", rule);
        }
        double with = (double) lowBit[0] / lowBit[1];
        double without = (double) lowBit[2] / lowBit[3];
        String summary = "Low-bit runs unstable: " + lowBit[0] + " of " + lowBit[1] + " with augmentation, " + lowBit[2]
                + " of " + lowBit[3] + " without" + (fp32[1] > 0 ? "; fp32: " + fp32[0] + " of " + fp32[1] + " with, "
                + fp32[2] + " of " + fp32[3] + " without." : ".");
        return new Finding("F3", claim, with > without ? Verdict.CONFIRMED : Verdict.REFUTED, summary, evidence, rule);
    }

    private Finding f4() {
        String claim = "Including zero among the weight values keeps training stable and prevents degradation.";
        String rule = "Pairs of alphabets where one is the other plus zero (e.g. binary {-1,1} and ternary {-1,0,1}), "
                + "same architecture, recipe and scale rule. The with-zero side is better when fewer of its runs are "
                + "unstable (diverged or loss spikes), or as few and its mean test accuracy is higher. Confirmed when "
                + "it is better in more than half the pairs.";
        List<String> evidence = new ArrayList<>();
        int pairs = 0;
        int better = 0;
        for (Pairs.Pair pair : Pairs.zero(judged)) {
            RunGroup without = pair.without();
            RunGroup withZero = pair.with();
            double shareWith = (double) withZero.unstable().size() / withZero.runs().size();
            double shareWithout = (double) without.unstable().size() / without.runs().size();
            Summary accWith = withZero.testAccuracy();
            Summary accWithout = without.testAccuracy();
            boolean isBetter = shareWith < shareWithout || (shareWith == shareWithout
                    && !accWith.isEmpty() && (accWithout.isEmpty() || accWith.mean() > accWithout.mean()));
            pairs++;
            better += isBetter ? 1 : 0;
            evidence.add(withZero.architecture() + recipeSuffix(withZero) + ": " + study.series(without) + " -> "
                    + study.series(withZero) + ": unstable " + without.unstable().size() + "/" + without.runs().size()
                    + " -> " + withZero.unstable().size() + "/" + withZero.runs().size() + ", accuracy "
                    + accuracy(without) + " -> " + accuracy(withZero) + (isBetter ? " (zero helps)" : " (zero does not help)"));
        }
        if (pairs == 0) {
            return notEnough("F4", claim, "No alphabet was trained beside its with-zero partner.", rule);
        }
        return new Finding("F4", claim, pairs < 2 * better ? Verdict.CONFIRMED : Verdict.REFUTED,
                "Adding zero helped in " + better + " of " + pairs + " pairs.", evidence, rule);
    }

    private Finding f5() {
        String claim = "2.32-bit weights (5 levels) are the best balance of memory, accuracy and efficiency (~12x less memory).";
        String rule = "For each fp32 run group beside which 5 levels {-2..2} and at least one smaller alphabet were "
                + "trained: the fewest-bit alphabet comparable to fp32 (within " + points(study.tolerancePoints())
                + " pp) must be the 5-level one. Confirmed when that holds in more than half the groups. Memory is "
                + "the packed file when one was written, else the ideal size.";
        List<String> evidence = new ArrayList<>();
        int groups = 0;
        int fiveIsBest = 0;
        for (RunGroup fp32 : fp32Groups()) {
            List<RunGroup> lowBit = lowBitBeside(fp32);
            Optional<RunGroup> five = lowBit.stream()
                    .filter(g -> g.quantizer().levels() == 5 && g.quantizer().hasZero()).findFirst();
            boolean smallerTried = lowBit.stream().anyMatch(g -> g.quantizer().levels() < 5);
            if (five.isEmpty() || !smallerTried) {
                continue;
            }
            Optional<RunGroup> fewestComparable = lowBit.stream()
                    .filter(g -> study.deltaPoints(g).orElse(Double.NEGATIVE_INFINITY) >= -study.tolerancePoints())
                    .min(Comparator.comparingDouble(g -> g.quantizer().bitsPerWeight()));
            boolean holds = fewestComparable.isPresent() && fewestComparable.get() == five.get();
            groups++;
            fiveIsBest += holds ? 1 : 0;
            String compression = compression(fp32, five.get());
            evidence.add(fp32.architecture() + recipeSuffix(fp32) + ": fewest bits within tolerance: "
                    + fewestComparable.map(g -> study.series(g) + " (Δ " + Formats.points(study.deltaPoints(g)) + ")")
                            .orElse("none")
                    + "; 5 levels: Δ " + Formats.points(study.deltaPoints(five.get())) + ", " + compression
                    + (holds ? " (supports)" : " (does not)"));
        }
        if (groups == 0) {
            return notEnough("F5", claim,
                    "No fp32 group has 5 levels and a smaller alphabet trained beside it.", rule);
        }
        return new Finding("F5", claim, groups < 2 * fiveIsBest ? Verdict.CONFIRMED : Verdict.REFUTED,
                "5 levels was the fewest-bit alphabet comparable to fp32 in " + fiveIsBest + " of " + groups
                        + " groups.", evidence, rule);
    }

    private List<RunGroup> fp32Groups() {
        return judged.stream().filter(RunGroup::isFullPrecision).filter(g -> !g.testAccuracy().isEmpty()).toList();
    }

    /** The low-bit groups whose fp32 twin is {@code fp32}, with at least one finished seed. */
    private List<RunGroup> lowBitBeside(RunGroup fp32) {
        return judged.stream()
                .filter(g -> !g.isFullPrecision() && !g.testAccuracy().isEmpty())
                .filter(g -> study.twinOf(g).filter(t -> t == fp32).isPresent())
                .toList();
    }

    private String parityText(RunGroup group, double median) {
        String seeds = String.join(", ", study.parities(group).stream().map(TwinComparison.Parity::label).toList());
        return "median " + points(median) + " (" + seeds + ")";
    }

    private String recipeSuffix(RunGroup group) {
        return study.severalRecipes() ? " / " + group.key().recipe().name() : "";
    }

    private static String accuracy(RunGroup group) {
        Summary summary = group.testAccuracy();
        return summary.isEmpty() ? "no finished seed" : Formats.percent(summary.mean()) + " (n=" + summary.n() + ")";
    }

    private static String compression(RunGroup fp32, RunGroup quantized) {
        Optional<Double> fp32Bytes = fp32.memory().map(m -> m.fp32Bytes());
        Optional<Double> stored = quantized.storedBytes();
        if (fp32Bytes.isEmpty() || stored.isEmpty()) {
            return "memory not stored";
        }
        boolean packed = quantized.memory().map(m -> m.packedBytes() != null).orElse(false);
        return Formats.ratio(fp32Bytes.get() / stored.get()) + " less memory (" + (packed ? "packed file" : "ideal") + ")";
    }

    private static String points(double value) {
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.2f", value);
    }

    private static Finding notEnough(String id, String claim, String why, String rule) {
        return new Finding(id, claim, Verdict.NOT_ENOUGH_RUNS, why, List.of(), rule);
    }
}
