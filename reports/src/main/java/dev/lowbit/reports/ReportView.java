package dev.lowbit.reports;

import java.util.List;

/**
 * Everything the page template shows, already formatted; the template holds no logic of its own.
 *
 * @param title the page title
 * @param resultsDir the directory the runs were read from
 * @param generatedAt when the report was made, ISO-8601 UTC
 * @param runCount number of stored runs (finished, diverged or failed)
 * @param groupCount number of rows of the main table
 * @param tolerance the parity tolerance in percentage points, e.g. {@code 1.00}
 * @param confidence the intervals' confidence level, e.g. {@code 95%}
 * @param findingsMethod how every verdict is reached: the test, the thresholds and how to change them
 * @param findings the verdicts on F1-F5
 * @param findingsScope which run groups the findings leave out and why, or empty when they judge every group
 * @param groups the main table, one row per architecture x quantizer x recipe
 * @param charts every chart the results can fill
 * @param missingCharts the charts left out, each with why
 * @param rows the runs table, one row per stored run
 * @param hasInProgress whether any run is unfinished
 * @param inProgress the unfinished runs
 * @param hasSkipped whether any run was left out as unreadable
 * @param skipped why runs were left out, one message each
 * @param details the per-run sections
 * @param provenance what made the results: versions, machine, data, seeds
 * @param hasPluginJars whether any run used a plugin jar
 * @param pluginJars each plugin jar's path and SHA-256
 * @param dataJson the raw results as JSON, made safe for a script block, inserted unescaped
 * @param hasCsv whether a CSV of the runs table is written beside the page
 * @param csvFile that CSV's file name, shown as the link's text
 * @param csvHref the link to it, a relative URL (see {@link ReportWriter#relativeHref})
 */
record ReportView(
        String title,
        String resultsDir,
        String generatedAt,
        int runCount,
        int groupCount,
        String tolerance,
        String confidence,
        String findingsMethod,
        List<Finding> findings,
        String findingsScope,
        List<GroupRow> groups,
        List<ChartView> charts,
        List<String> missingCharts,
        List<ReportRow> rows,
        boolean hasInProgress,
        List<InProgressRow> inProgress,
        boolean hasSkipped,
        List<String> skipped,
        List<RunDetail> details,
        List<ProvenanceRow> provenance,
        boolean hasPluginJars,
        List<ProvenanceRow> pluginJars,
        String dataJson,
        boolean hasCsv,
        String csvFile,
        String csvHref) {

    public int inProgressCount() {
        return inProgress.size();
    }

    public boolean hasFindingsScope() {
        return !findingsScope.isEmpty();
    }

    public boolean hasMissingCharts() {
        return !missingCharts.isEmpty();
    }
}
