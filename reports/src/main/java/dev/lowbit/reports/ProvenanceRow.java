package dev.lowbit.reports;

import dev.lowbit.format.result.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One line of the provenance table: a key every run stored (version, machine, dataset hash, ...)
 * with each distinct value and how many runs recorded it, so a study mixing two machines or two
 * dataset copies shows it at a glance.
 *
 * @param key the provenance key, e.g. {@code djl.version}
 * @param value one value recorded for it
 * @param runs how many runs recorded that value, e.g. {@code all 16} or {@code 3 of 16}
 * @param mixed whether the runs disagree on this key, for styling
 */
record ProvenanceRow(String key, String value, String runs, boolean mixed) {

    /** Keys of plugin jars: {@code plugin.jar.<path>} = SHA-256. */
    static final String PLUGIN_PREFIX = "plugin.jar.";

    /** Every provenance key but the plugin jars, then seeds, suites and the time span, in key order. */
    static List<ProvenanceRow> of(List<StoredRun> runs) {
        Map<String, Map<String, Integer>> values = new TreeMap<>();
        TreeSet<Long> seeds = new TreeSet<>();
        String first = null;
        String last = null;
        for (StoredRun stored : runs) {
            RunRecord run = stored.run();
            run.provenance().forEach((key, value) -> {
                if (!key.startsWith(PLUGIN_PREFIX)) {
                    values.computeIfAbsent(key, k -> new LinkedHashMap<>()).merge(value, 1, Integer::sum);
                }
            });
            values.computeIfAbsent("suite", k -> new LinkedHashMap<>())
                    .merge(run.config().suite(), 1, Integer::sum);
            seeds.add(run.config().seed());
            first = earliest(first, run.startedAt());
            last = latest(last, run.finishedAt());
        }
        List<ProvenanceRow> rows = new ArrayList<>();
        values.forEach((key, counts) -> counts.forEach(
                (value, n) -> rows.add(new ProvenanceRow(key, value, share(n, runs.size()), counts.size() > 1))));
        rows.add(new ProvenanceRow(
                "seeds",
                String.join(", ", seeds.stream().map(String::valueOf).toList()),
                share(runs.size(), runs.size()),
                false));
        if (first != null && last != null) {
            rows.add(new ProvenanceRow("time span", first + " to " + last, share(runs.size(), runs.size()), false));
        }
        return rows;
    }

    /** The plugin jars the runs were trained with: path and SHA-256, with how many runs used each. */
    static List<ProvenanceRow> pluginJars(List<StoredRun> runs) {
        Map<String, Map<String, Integer>> jars = new TreeMap<>();
        for (StoredRun stored : runs) {
            stored.run().provenance().forEach((key, value) -> {
                if (key.startsWith(PLUGIN_PREFIX)) {
                    jars.computeIfAbsent(key.substring(PLUGIN_PREFIX.length()), k -> new LinkedHashMap<>())
                            .merge(value, 1, Integer::sum);
                }
            });
        }
        List<ProvenanceRow> rows = new ArrayList<>();
        jars.forEach((path, hashes) -> hashes.forEach(
                (hash, n) -> rows.add(new ProvenanceRow(path, hash, share(n, runs.size()), hashes.size() > 1))));
        return rows;
    }

    private static String share(int n, int total) {
        return n == total ? "all " + total : n + " of " + total;
    }

    // ISO-8601 instants in UTC compare correctly as text.
    private static String earliest(String a, String b) {
        return a == null || (b != null && b.compareTo(a) < 0) ? b : a;
    }

    private static String latest(String a, String b) {
        return a == null || (b != null && b.compareTo(a) > 0) ? b : a;
    }
}
