package dev.lowbit.reports;

/**
 * One chart of the page.
 *
 * @param id the figure's element id
 * @param title the heading above it
 * @param caption how to read it
 * @param svg the chart as an inline {@code <svg>} element, inserted unescaped
 */
record ChartView(String id, String title, String caption, String svg) {}
