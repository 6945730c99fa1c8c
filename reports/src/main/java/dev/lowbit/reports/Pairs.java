package dev.lowbit.reports;

import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Which run groups form the study's controlled pairs: augmentation off/on, and an alphabet without/with zero. */
final class Pairs {

    private Pairs() {}

    /**
     * A controlled pair of run groups that differ in one thing only.
     *
     * @param without the group without it (no augmentation, or no zero level)
     * @param with the group with it
     */
    record Pair(RunGroup without, RunGroup with) {}

    /** Each augmented group with the first group (in report order) that is the same without augmentation. */
    static List<Pair> augmentation(List<RunGroup> groups) {
        List<Pair> pairs = new ArrayList<>();
        for (RunGroup augmented : groups) {
            if (isPlain(augmented)) {
                continue;
            }
            groups.stream()
                    .filter(plain -> isPlain(plain)
                            && plain.activations().equals(augmented.activations())
                            && sameButAugmentation(plain.key(), augmented.key()))
                    .findFirst()
                    .ifPresent(plain -> pairs.add(new Pair(plain, augmented)));
        }
        return pairs;
    }

    /** Every alphabet without zero beside its partner with zero, see {@link #zeroPartners}. */
    static List<Pair> zero(List<RunGroup> groups) {
        List<Pair> pairs = new ArrayList<>();
        for (RunGroup withZero : groups) {
            for (RunGroup without : groups) {
                if (zeroPartners(without, withZero)) {
                    pairs.add(new Pair(without, withZero));
                }
            }
        }
        return pairs;
    }

    private static boolean isPlain(RunGroup group) {
        return "none".equals(group.key().recipe().augmentation());
    }

    /** Whether the two configs differ only in the recipe's augmentation (and the recipe's name). */
    static boolean sameButAugmentation(RunConfig plain, RunConfig augmented) {
        Recipe p = plain.recipe();
        Recipe a = augmented.recipe();
        Recipe aligned = new Recipe(
                p.name(),
                a.optimizer(),
                a.learningRate(),
                a.schedule(),
                a.batchSize(),
                a.epochs(),
                a.weightDecay(),
                p.augmentation());
        return p.equals(aligned) && augmented.withRecipe(p).equals(plain);
    }

    /**
     * Whether {@code withZero}'s alphabet is {@code without}'s values plus zero (binary and ternary,
     * quaternary and quinary, k8 and k9, k16 and k17), with the same scale rule, the same activation
     * quantizer and everything else equal.
     */
    static boolean zeroPartners(RunGroup without, RunGroup withZero) {
        QuantizerRecord p = without.quantizer();
        QuantizerRecord q = withZero.quantizer();
        if (without.isFullPrecision() || withZero.isFullPrecision() || p.hasZero() || !q.hasZero()) {
            return false;
        }
        TreeSet<Double> plusZero = new TreeSet<>(p.values());
        plusZero.add(0.0);
        return plusZero.equals(new TreeSet<>(q.values()))
                && without.scaleRule().equals(withZero.scaleRule())
                && without.activations().equals(withZero.activations())
                && without.key().withQuantizer(withZero.key().quantizer()).equals(withZero.key());
    }
}
