package dev.lowbit.reports;

import java.awt.BasicStroke;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The study's accuracy-for-size charts: test accuracy against bits per weight and against stored
 * bytes. Every point is a run group, labelled with its quantizer spec as in the main table, so a
 * reader can tell apart specs that share a quantizer id (and so its bits).
 */
final class AccuracyCharts {

    /** Share of the axis range left free beyond the outermost points, room for half a spec label. */
    private static final double POINT_LABEL_MARGIN = 0.1;

    /** Share of the accuracy range left free above the top level: room for a label drawn above its line. */
    private static final double LEVEL_LABEL_MARGIN = 0.1;

    /** Thinner than a line, so a bar reads as the spread of its point and not as another line. */
    private static final BasicStroke INTERVAL_BAR = new BasicStroke(1f);

    private final Study study;

    AccuracyCharts(Study study) {
        this.study = study;
    }

    /**
     * Final test accuracy against ideal bits per weight, fp32 as a dashed level per architecture. A line
     * joins the alphabets of one architecture trained with one scale rule; the rule is named in the
     * legend only when the study compares several, as otherwise the architecture says it all. A point
     * of at least two finished seeds has a bar for the interval of its mean.
     */
    Optional<ChartView> accuracyVsBits() {
        List<RunGroup> lowBit = study.groups().stream()
                .filter(g -> !g.isFullPrecision() && !g.testAccuracy().isEmpty())
                .toList();
        if (lowBit.isEmpty()) {
            return Optional.empty();
        }
        Lines varying = new Lines(
                lowBit.stream().map(RunGroup::scaleRule).distinct().count() > 1,
                lowBit.stream().map(g -> g.activations().spec()).distinct().count() > 1,
                lowBit.stream()
                                .map(g -> String.valueOf(g.key().layerPolicy()))
                                .distinct()
                                .count()
                        > 1);
        Map<String, XYSeries> lines = new LinkedHashMap<>();
        Map<String, YIntervalSeries> bars = new LinkedHashMap<>();
        Map<String, Integer> firstLineOfPanel = new LinkedHashMap<>();
        for (RunGroup group : lowBit) { // in report order, so the legend keeps the table's order
            String line = lineName(group, varying);
            lines.computeIfAbsent(line, k -> new XYSeries(k, false, true));
            // One bar series per line, in the same order, so that a line's bars take its colour.
            bars.computeIfAbsent(line, k -> new YIntervalSeries(k, false, true));
            firstLineOfPanel.putIfAbsent(study.panel(group), lines.size() - 1); // a new panel starts a new line
        }
        // Not sorted by the series itself: the point labels are looked up by item index, so items keep
        // the order they were added in, and that order goes from the fewest bits up for the line.
        Map<String, List<String>> pointLabels = new HashMap<>();
        for (RunGroup group : lowBit.stream()
                .sorted(Comparator.comparingDouble(g -> g.quantizer().bitsPerWeight()))
                .toList()) {
            String line = lineName(group, varying);
            Summary accuracy = group.testAccuracy();
            double bits = group.quantizer().bitsPerWeight();
            lines.get(line).add(bits, 100 * accuracy.mean());
            pointLabels.computeIfAbsent(line, k -> new ArrayList<>()).add(study.series(group));
            // NaN with one seed, which says nothing of the spread (or when a seed stored no accuracy): no bar.
            if (!Double.isNaN(accuracy.halfWidth())) {
                // Cut at 0 and 100%: an accuracy cannot pass them, and two seeds' t of 12.7 would otherwise
                // stretch the axis far beyond every point (the table still gives the whole interval).
                bars.get(line)
                        .add(
                                bits,
                                100 * accuracy.mean(),
                                Math.max(0, 100 * accuracy.low()),
                                Math.min(100, 100 * accuracy.high()));
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        lines.values().forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(
                null,
                "bits per weight (log2 k)",
                "test accuracy (%)",
                data,
                PlotOrientation.VERTICAL,
                true,
                false,
                false);
        XYPlot plot = chart.getXYPlot();
        XYLineAndShapeRenderer renderer = Charts.lines(data.getSeriesCount(), 0);
        labelPoints(renderer, pointLabels);
        plot.setRenderer(renderer);
        drawIntervalBars(plot, bars.values());
        NumberAxis accuracyAxis = (NumberAxis) plot.getRangeAxis();
        Charts.accuracyAxis(accuracyAxis);
        // Room above the top level for the fp32 label and the point labels, which are drawn above their line.
        accuracyAxis.setUpperMargin(LEVEL_LABEL_MARGIN);
        // One alphabet alone would make a zero-width axis with unreadable repeated ticks.
        ((NumberAxis) plot.getDomainAxis()).setAutoRangeMinimumSize(1.0);
        roomForPointLabels(plot);
        XYSeries fp32Levels = new XYSeries("fp32 levels", false, true);
        firstLineOfPanel.forEach((panel, line) -> fp32Level(panel).ifPresent(reference -> {
            ValueMarker marker = new ValueMarker(reference, Charts.colour(line), Charts.DASHED);
            marker.setLabel("fp32 " + panel);
            marker.setLabelFont(Charts.LABEL_FONT);
            marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
            marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
            plot.addRangeMarker(marker);
            fp32Levels.add(lowBit.get(0).quantizer().bitsPerWeight(), reference); // at a point's bits: no new x
        }));
        rangeIncludes(plot, fp32Levels);
        return Optional.of(StudyCharts.view(
                "accuracy-vs-bits",
                "Test accuracy against bits per weight",
                "Mean over finished seeds, each point named by its quantizer spec; a bar is the "
                        + study.options().confidenceLabel() + " interval over seeds (cut at 100%), drawn where there"
                        + " are at least 2; each dashed line is that architecture's fp32 twin.",
                chart,
                StudyCharts.HEIGHT));
    }

    /**
     * The interval bars as a dataset of their own: the lines' dataset keeps its points (and so its
     * point labels, looked up by item index) for every group, while a group of one seed has no bar. The
     * bars' renderer ranges the axis over the intervals' ends, so no bar is cut off; JFreeChart draws
     * the higher dataset indices first, so a bar passes under its point.
     */
    private static void drawIntervalBars(XYPlot plot, Collection<YIntervalSeries> bars) {
        YIntervalSeriesCollection data = new YIntervalSeriesCollection();
        bars.forEach(data::addSeries);
        XYErrorRenderer renderer = new XYErrorRenderer();
        renderer.setDrawXError(false);
        renderer.setDefaultShapesVisible(false); // the lines' renderer draws the points and their labels
        renderer.setDefaultSeriesVisibleInLegend(false);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, Charts.colour(i));
            renderer.setSeriesStroke(i, INTERVAL_BAR);
        }
        plot.setDataset(1, data);
        plot.setRenderer(1, renderer);
    }

    /**
     * Makes the range axis reach {@code levels}. JFreeChart's auto range covers the datasets but not
     * the markers, so an fp32 level above (or below) every low-bit point fell beyond the axis and its
     * dashed line was not drawn at all. The levels join as a dataset that draws nothing and has no
     * legend: the axis ranges over it, margins and minimum size included, like any data.
     */
    private static void rangeIncludes(XYPlot plot, XYSeries levels) {
        XYLineAndShapeRenderer nothing = new XYLineAndShapeRenderer(false, false);
        nothing.setDefaultSeriesVisibleInLegend(false);
        plot.setDataset(2, new XYSeriesCollection(levels));
        plot.setRenderer(2, nothing);
    }

    /** Which of what a line holds fixed differ among the study's low-bit groups, and so are named in its legend. */
    private record Lines(boolean scaleRules, boolean activations, boolean layerPolicies) {}

    /**
     * A line's legend: the panel, then the scale rule, the activation quantizer and the layer policy
     * when the study has several, so that alphabets trained with quantized inputs (or a layer map) are
     * never joined to those trained without.
     */
    private String lineName(RunGroup group, Lines varying) {
        StringBuilder name = new StringBuilder(study.panel(group));
        if (varying.scaleRules()) {
            name.append(' ').append(group.scaleRule());
        }
        if (varying.activations() && group.activations().quantizes()) {
            name.append(" + ").append(group.activations().spec());
        }
        if (varying.layerPolicies()) {
            SchemeLabel scheme = group.scheme();
            name.append(
                    scheme.layerMap().isPresent()
                            ? scheme.layerMapSuffix()
                            : " (" + group.key().layerPolicy() + " layers)");
        }
        return name.toString();
    }

    /** The mean test accuracy of the first fp32 group of {@code panel}, in percent. */
    private Optional<Double> fp32Level(String panel) {
        return study.groups().stream()
                .filter(g -> g.isFullPrecision()
                        && !g.testAccuracy().isEmpty()
                        && study.panel(g).equals(panel))
                .findFirst()
                .map(g -> 100 * g.testAccuracy().mean());
    }

    /**
     * Final test accuracy against stored bytes (log scale), every run group a point, with the Pareto
     * front: the groups no other group beats on both size and accuracy.
     */
    Optional<ChartView> accuracyVsBytes() {
        XYSeriesCollection data = new XYSeriesCollection();
        Map<String, XYSeries> byArchitecture = new LinkedHashMap<>();
        Map<String, List<String>> pointLabels = new LinkedHashMap<>();
        List<double[]> points = new ArrayList<>();
        for (RunGroup group : study.groups()) {
            Summary accuracy = group.testAccuracy();
            Optional<Double> bytes = group.storedBytes();
            if (accuracy.isEmpty() || bytes.isEmpty()) {
                continue;
            }
            double kib = bytes.get() / 1024;
            String panel = study.panel(group);
            byArchitecture
                    .computeIfAbsent(panel, k -> new XYSeries(k, false, true))
                    .add(kib, 100 * accuracy.mean());
            pointLabels.computeIfAbsent(panel, k -> new ArrayList<>()).add(study.series(group));
            points.add(new double[] {kib, 100 * accuracy.mean()});
        }
        if (points.size() < 2) {
            return Optional.empty();
        }
        data.addSeries(paretoFront(points));
        byArchitecture.values().forEach(data::addSeries);
        LogAxis size = new LogAxis("stored size (KiB, log scale: packed file, else ideal)");
        size.setNumberFormatOverride(new DecimalFormat("#,##0.#"));
        size.setSmallestValue(0.01);
        size.setAutoTickUnitSelection(false);
        size.setTickUnit(new NumberTickUnit(1)); // in powers of ten: 10, 100, 1,000 KiB
        JFreeChart chart = ChartFactory.createScatterPlot(
                null, "", "test accuracy (%)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setDomainAxis(size);
        roomForPointLabels(plot);
        Charts.accuracyAxis((NumberAxis) plot.getRangeAxis());
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(false, true);
        renderer.setSeriesLinesVisible(0, true);
        renderer.setSeriesShapesVisible(0, false);
        renderer.setSeriesPaint(0, Charts.REFERENCE);
        renderer.setSeriesStroke(0, Charts.DASHED);
        for (int i = 1; i < data.getSeriesCount(); i++) {
            renderer.setSeriesPaint(i, Charts.colour(i - 1));
        }
        // Each point names its quantizer spec; the legend only says which architecture it belongs to.
        labelPoints(renderer, pointLabels);
        plot.setRenderer(renderer);
        return Optional.of(StudyCharts.view(
                "accuracy-vs-bytes",
                "Test accuracy against stored size",
                "One point per architecture x quantizer spec (mean over seeds); the dashed line joins the Pareto "
                        + "front.",
                chart,
                StudyCharts.HEIGHT));
    }

    private static XYSeries paretoFront(List<double[]> points) {
        XYSeries front = new XYSeries("Pareto front", false, true);
        List<double[]> bySize = new ArrayList<>(points);
        bySize.sort(Comparator.<double[]>comparingDouble(p -> p[0]).thenComparingDouble(p -> -p[1]));
        double best = Double.NEGATIVE_INFINITY;
        for (double[] point : bySize) {
            if (point[1] > best) {
                front.add(point[0], point[1]);
                best = point[1];
            }
        }
        return front;
    }

    /**
     * Widens the margins left and right of the outermost points: a spec label is centred on its point,
     * and at the default margin the plot's edge cuts the first and last labels in half.
     */
    private static void roomForPointLabels(XYPlot plot) {
        plot.getDomainAxis().setLowerMargin(POINT_LABEL_MARGIN);
        plot.getDomainAxis().setUpperMargin(POINT_LABEL_MARGIN);
    }

    /**
     * Names each point of the series in {@code pointLabels} (by series key, in item order); series
     * without labels, such as the Pareto front, stay unlabelled.
     */
    private static void labelPoints(XYLineAndShapeRenderer renderer, Map<String, List<String>> pointLabels) {
        renderer.setDefaultItemLabelGenerator((dataset, series, item) -> {
            List<String> labels = pointLabels.get(dataset.getSeriesKey(series));
            return labels == null ? null : labels.get(item);
        });
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(Charts.LABEL_FONT);
    }
}
