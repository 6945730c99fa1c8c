package dev.lowbit.reports;

import java.util.List;
import java.util.Locale;

/**
 * The study's verdict on one of its findings (paper.md F1-F5), judged from the stored runs only.
 *
 * @param id {@code F1} .. {@code F5}
 * @param claim what the paper claims
 * @param verdict the finding's verdict, combined from its parts' as {@link #rule} says
 * @param summary one sentence saying what the verdict rests on
 * @param parts each aspect of the claim judged on its own effect (stability and degradation for F3
 *     and F4), with n, the effect, its interval and the test
 * @param evidence one line per comparison behind the effects
 * @param rule how the parts are measured and combined, so a reader can check it by hand
 */
record Finding(
        String id,
        String claim,
        Verdict verdict,
        String summary,
        List<Part> parts,
        List<String> evidence,
        String rule) {

    Finding {
        parts = List.copyOf(parts);
        evidence = List.copyOf(evidence);
    }

    public boolean hasEvidence() {
        return !evidence.isEmpty();
    }

    /**
     * One aspect of a claim, judged on one effect measured per seed.
     *
     * @param aspect what it judges, e.g. {@code Stability}
     * @param verdict its verdict from the effect's interval
     * @param effect n, the effect's mean and its interval, e.g.
     *     {@code n = 3 seeds: -0.42 pp, 95% interval -0.90 to +0.06}
     * @param measure what the effect is, in words
     * @param test when it is confirmed and when refuted
     */
    record Part(String aspect, Verdict verdict, String effect, String measure, String test) {}

    enum Verdict {
        /** The whole interval lies on the claim's side of its threshold. */
        CONFIRMED("confirmed"),
        /** The whole interval lies on the other side. */
        REFUTED("refuted"),
        /** The interval straddles the threshold; the mean is on the claim's side. */
        CONSISTENT("consistent, not significant"),
        /** The interval straddles the threshold (or the effect is exactly on it); the mean is not on the claim's side. */
        INCONSISTENT("inconsistent, not significant"),
        /** The comparison exists, but over fewer seeds than the report's minimum. */
        NOT_ENOUGH_SEEDS("not enough seeds"),
        /** The runs the comparison needs were not trained (or did not finish). */
        NOT_ENOUGH_RUNS("not enough runs");

        private final String label;

        Verdict(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }

        /** The CSS class of the verdict badge. */
        public String cssClass() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
