package dev.lowbit.reports;

import java.util.List;
import java.util.Locale;

/**
 * The study's verdict on one of its findings (paper.md F1-F5), judged from the stored runs only.
 *
 * @param id {@code F1} .. {@code F5}
 * @param claim what the paper claims
 * @param verdict confirmed, refuted, or not enough runs
 * @param summary one sentence with the numbers that decided the verdict
 * @param evidence one line per comparison behind it
 * @param rule how the verdict is decided, so a reader can check it by hand
 */
record Finding(String id, String claim, Verdict verdict, String summary, List<String> evidence, String rule) {

    Finding {
        evidence = List.copyOf(evidence);
    }

    public boolean hasEvidence() {
        return !evidence.isEmpty();
    }

    enum Verdict {
        CONFIRMED("confirmed"), REFUTED("refuted"), NOT_ENOUGH_RUNS("not enough runs");

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
