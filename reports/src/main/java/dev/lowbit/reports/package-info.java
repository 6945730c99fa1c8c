/**
 * The report: reads a results folder as untrusted input ({@link dev.lowbit.reports.StoredResults}, bounded by
 * {@link dev.lowbit.reports.ReportLimits}), joins every low-bit run to its fp32 twin, judges the study's findings
 * from intervals over seeds, and renders one self-contained HTML page with its charts and a CSV of the results
 * ({@link dev.lowbit.reports.ReportWriter}). What {@code lowbit report} runs; README, "The report", describes
 * the page.
 *
 * <p>Not for plugins: lowbit's harness uses it, and a plugin's class loader cannot see it.
 */
package dev.lowbit.reports;
