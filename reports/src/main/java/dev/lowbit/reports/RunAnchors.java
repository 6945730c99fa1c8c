package dev.lowbit.reports;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The element id of each run's section, the target of the links in the tables. A run id comes from a
 * results folder that may be someone else's, so it is never put into markup as is: an id lowbit itself
 * makes ({@code fcnn-small.ternary.s1.98bb23fa}) stays readable as {@code run-<runId>}, so links into a
 * report keep working, and any other text becomes a slug of its safe characters plus a number. Every id
 * is unique on the page, also when two suites store the same run id or a run id mimics another's.
 */
final class RunAnchors {

    /** Characters lowbit's run ids are made of; safe in an id, a URL fragment and a CSS selector. */
    static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    /** Ids the page template itself uses under the {@code run-} prefix. */
    private static final List<String> TEMPLATE_IDS = List.of("run-count", "run-details");

    private static final int SLUG_LENGTH = 40;

    private RunAnchors() {}

    /** One unique, safe id per run, in the order of {@code runs}. */
    static List<String> of(List<StoredRun> runs) {
        Set<String> taken = new HashSet<>(TEMPLATE_IDS);
        String[] anchors = new String[runs.size()];
        // Runs with a well-formed id claim theirs first, so a crafted id can never take another's.
        for (int i = 0; i < runs.size(); i++) {
            String runId = runs.get(i).run().runId();
            if (SAFE.matcher(runId).matches() && taken.add("run-" + runId)) {
                anchors[i] = "run-" + runId;
            }
        }
        for (int i = 0; i < runs.size(); i++) {
            if (anchors[i] == null) {
                String base = "run-" + slug(runs.get(i).run().runId()) + "-";
                int n = 1;
                while (!taken.add(base + n)) {
                    n++;
                }
                anchors[i] = base + n;
            }
        }
        return new ArrayList<>(List.of(anchors));
    }

    /** The id's safe characters, at most {@value #SLUG_LENGTH} of them, others replaced by {@code -}. */
    private static String slug(String runId) {
        StringBuilder slug = new StringBuilder();
        for (int i = 0; i < runId.length() && slug.length() < SLUG_LENGTH; i++) {
            char c = runId.charAt(i);
            boolean safe = c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_' || c == '-');
            if (safe) {
                slug.append(c);
            } else if (slug.length() > 0 && slug.charAt(slug.length() - 1) != '-') {
                slug.append('-');
            }
        }
        return slug.length() == 0 ? "x" : slug.toString();
    }
}
