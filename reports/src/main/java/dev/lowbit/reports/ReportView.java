package dev.lowbit.reports;

import java.util.List;

/**
 * Everything the page template shows, already formatted; the template holds no logic of its own.
 *
 * @param title the page title
 * @param resultsDir the directory the runs were read from
 * @param generatedAt when the report was made, ISO-8601 UTC
 * @param runCount number of runs in the table
 * @param tolerance the parity tolerance in percentage points, e.g. {@code 1.00}
 * @param rows the runs table, one row per stored run
 * @param hasChart whether any run has stored epochs to draw
 * @param chartSvg the learning-curve chart as an SVG element, inserted unescaped
 * @param hasInProgress whether any run is still in progress
 * @param inProgress number of runs that have epochs but no run.json yet
 * @param hasSkipped whether any run was left out as unreadable
 * @param skipped why runs were left out, one message each
 * @param dataJson the raw results as JSON, made safe for a script block, inserted unescaped
 * @param hasCsv whether a CSV of the runs table is written beside the page
 * @param csvFile that CSV's file name, linked from the page
 */
record ReportView(
        String title,
        String resultsDir,
        String generatedAt,
        int runCount,
        String tolerance,
        List<ReportRow> rows,
        boolean hasChart,
        String chartSvg,
        boolean hasInProgress,
        int inProgress,
        boolean hasSkipped,
        List<String> skipped,
        String dataJson,
        boolean hasCsv,
        String csvFile) {
}
