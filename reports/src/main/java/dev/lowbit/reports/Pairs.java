package dev.lowbit.reports;

import dev.lowbit.api.result.QuantizerRecord;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import java.util.TreeSet;

/** Which run groups form the study's controlled pairs: augmentation off/on, and an alphabet without/with zero. */
final class Pairs {

    private Pairs() {
    }

    /** Whether the two configs differ only in the recipe's augmentation (and the recipe's name). */
    static boolean sameButAugmentation(RunConfig plain, RunConfig augmented) {
        Recipe p = plain.recipe();
        Recipe a = augmented.recipe();
        Recipe aligned = new Recipe(p.name(), a.optimizer(), a.learningRate(), a.schedule(), a.batchSize(), a.epochs(),
                a.weightDecay(), p.augmentation());
        return p.equals(aligned) && withRecipe(augmented, p).equals(plain);
    }

    /**
     * Whether {@code withZero}'s alphabet is {@code without}'s values plus zero (binary and ternary,
     * quaternary and quinary, k8 and k9, k16 and k17), with the same scale rule and everything else equal.
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
                && scaleRule(without.key().quantizer()).equals(scaleRule(withZero.key().quantizer()))
                && without.key().withQuantizer(withZero.key().quantizer()).equals(withZero.key());
    }

    /** Specs are {@code id@rule/granularity}; a bare id uses the default rule. */
    private static String scaleRule(String spec) {
        int at = spec.indexOf('@');
        return at < 0 ? "" : spec.substring(at);
    }

    private static RunConfig withRecipe(RunConfig c, Recipe recipe) {
        return new RunConfig(c.suite(), c.dataset(), c.architecture(), c.quantizer(), c.layerPolicy(), recipe,
                c.trainLimit(), c.validationShare(), c.seed());
    }
}
