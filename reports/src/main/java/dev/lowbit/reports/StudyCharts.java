package dev.lowbit.reports;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.TensorMemory;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StackedBarRenderer;
import org.jfree.chart.renderer.category.StatisticalBarRenderer;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.category.CategoryDataset;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.statistics.DefaultStatisticalCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The study's charts (report.md): learning curves against the fp32 reference, accuracy against bits
 * and bytes, epochs-to-parity, stability, and the augmentation and zero pairs. A chart whose data
 * does not exist in these results is left out, and the page says which.
 */
final class StudyCharts {

    private static final int WIDTH = 900;
    static final int HEIGHT = 420;

    private final Study study;

    private StudyCharts(Study study) {
        this.study = study;
    }

    /** Every chart the results can fill, in page order. */
    static List<ChartView> of(Study study) {
        StudyCharts charts = new StudyCharts(study);
        AccuracyCharts accuracy = new AccuracyCharts(study);
        List<ChartView> views = new ArrayList<>(charts.learningCurves());
        accuracy.accuracyVsBits().ifPresent(views::add);
        accuracy.accuracyVsBytes().ifPresent(views::add);
        charts.parity().ifPresent(views::add);
        charts.flipRatio().ifPresent(views::add);
        charts.levelOccupancy().ifPresent(views::add);
        charts.augmentationPairs().ifPresent(views::add);
        charts.zeroPairs().ifPresent(views::add);
        return views;
    }

    /** Why each study-wide chart is missing from {@code drawn}, one line each. */
    static List<String> missing(List<ChartView> drawn) {
        Map<String, String> reasons = new LinkedHashMap<>();
        reasons.put("curve-0", "Learning curves: no run stored an epoch.");
        reasons.put("accuracy-vs-bits", "Accuracy against bits: no low-bit run finished.");
        reasons.put("accuracy-vs-bytes", "Accuracy against stored size: fewer than two run groups finished.");
        reasons.put("parity", "Epochs to parity: no low-bit run has an fp32 twin that finished.");
        reasons.put("flip-ratio", "Flip ratio: no low-bit run stored one.");
        reasons.put("level-occupancy", "Level occupancy: no low-bit run stored one.");
        reasons.put(
                "augmentation-pairs",
                "Augmentation off and on: no run group was trained both without and with "
                        + "augmentation (a suite with two recipes differing only in 'augmentation' makes the pairs).");
        reasons.put(
                "zero-pairs",
                "Without and with zero: no alphabet was trained beside its partner with zero "
                        + "(e.g. binary and ternary, quaternary and quinary).");
        drawn.forEach(chart -> reasons.remove(chart.id()));
        return List.copyOf(reasons.values());
    }

    /** Validation accuracy per epoch, one chart per architecture and recipe, fp32 as a band over its seeds. */
    private List<ChartView> learningCurves() {
        Map<String, List<RunGroup>> byPanel = new LinkedHashMap<>();
        for (RunGroup group : study.groups()) {
            if (group.lastEpoch() > 0) {
                byPanel.computeIfAbsent(study.panel(group), k -> new ArrayList<>())
                        .add(group);
            }
        }
        List<ChartView> views = new ArrayList<>();
        int index = 0;
        for (Map.Entry<String, List<RunGroup>> panel : byPanel.entrySet()) {
            YIntervalSeriesCollection band = new YIntervalSeriesCollection();
            XYSeriesCollection lines = new XYSeriesCollection();
            for (RunGroup group : capped(panel.getValue())) {
                if (group.isFullPrecision()) {
                    band.addSeries(fp32Band(group, study.series(group)));
                } else {
                    XYSeries series = new XYSeries(
                            study.series(group) + " (" + group.runs().size() + " seeds)", true, false);
                    group.byEpoch(EpochRecord::validationAccuracy)
                            .forEach((epoch, seeds) -> series.add(epoch.intValue(), 100 * seeds.getAverage()));
                    lines.addSeries(series);
                }
            }
            JFreeChart chart = ChartFactory.createXYLineChart(
                    null, "epoch", "validation accuracy (%)", lines, PlotOrientation.VERTICAL, true, false, false);
            XYPlot plot = chart.getXYPlot();
            plot.setRenderer(Charts.lines(lines.getSeriesCount(), 0));
            if (band.getSeriesCount() > 0) {
                DeviationRenderer reference = new DeviationRenderer(true, false);
                reference.setSeriesPaint(0, Charts.REFERENCE);
                reference.setSeriesFillPaint(0, Charts.REFERENCE);
                reference.setSeriesStroke(0, Charts.DASHED);
                reference.setAlpha(0.25f);
                plot.setDataset(1, band);
                plot.setRenderer(1, reference);
            }
            integerTicks((NumberAxis) plot.getDomainAxis());
            Charts.accuracyAxis((NumberAxis) plot.getRangeAxis());
            String id = "curve-" + index++;
            views.add(view(
                    id,
                    "Validation accuracy per epoch: " + panel.getKey(),
                    "Mean over seeds per quantizer spec; fp32 is the grey dashed line, its band spanning the lowest "
                            + "to the highest seed."
                            + cappedNote(panel.getValue().size()),
                    chart,
                    HEIGHT));
        }
        return views;
    }

    private static YIntervalSeries fp32Band(RunGroup group, String name) {
        YIntervalSeries series = new YIntervalSeries(name + " (" + group.runs().size() + " seeds)");
        group.byEpoch(EpochRecord::validationAccuracy)
                .forEach((epoch, seeds) ->
                        series.add(epoch, 100 * seeds.getAverage(), 100 * seeds.getMin(), 100 * seeds.getMax()));
        return series;
    }

    /**
     * The first {@link ReportLimits#MAX_SERIES_PER_CHART} of a chart's series: past that a chart is
     * unreadable and its page heavy; every run is still in the tables.
     */
    private static <T> List<T> capped(List<T> series) {
        return series.size() > ReportLimits.MAX_SERIES_PER_CHART
                ? series.subList(0, ReportLimits.MAX_SERIES_PER_CHART)
                : series;
    }

    /** What a caption says when {@link #capped} left series out. */
    private static String cappedNote(int series) {
        return series > ReportLimits.MAX_SERIES_PER_CHART
                ? " Only the first " + ReportLimits.MAX_SERIES_PER_CHART + " of its " + series + " series are drawn"
                        + " (the most a chart draws); all are in the tables."
                : "";
    }

    /**
     * Median epochs-to-parity per quantizer spec, one bar per architecture; censored medians labelled
     * {@code > N}. Horizontal, one spec per row: side by side under the bars, specs such as
     * {@code quaternary@absmax/tensor} are wider than their bars and would be cut.
     */
    private Optional<ChartView> parity() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        Map<String, String> labels = new LinkedHashMap<>();
        int bars = 0;
        for (RunGroup group : study.groups()) {
            if (group.isFullPrecision()) {
                continue;
            }
            List<TwinComparison.Parity> parities = study.parities(group).stream()
                    .filter(TwinComparison.Parity::measurable)
                    .toList();
            // Panels x specs cells are laid out, drawn or not: bounded by bounding the bars.
            if (parities.isEmpty() || ++bars > ReportLimits.MAX_SERIES_PER_CHART) {
                continue;
            }
            double median = study.medianParity(group).orElseThrow();
            long censored =
                    parities.stream().filter(TwinComparison.Parity::censored).count();
            String spec = study.series(group);
            data.addValue(median, study.panel(group), spec);
            boolean medianCensored = censored * 2 > parities.size();
            labels.put(
                    study.panel(group) + "\u0000" + spec,
                    medianCensored
                            ? "> " + parities.get(0).observed()
                            : format(median) + (censored > 0 ? " (" + censored + " censored)" : ""));
        }
        if (data.getColumnCount() == 0) {
            return Optional.empty();
        }
        JFreeChart chart = ChartFactory.createBarChart(
                null,
                "quantizer",
                "epochs to parity (median over seeds)",
                data,
                PlotOrientation.HORIZONTAL,
                true,
                false,
                false);
        CategoryPlot plot = chart.getCategoryPlot();
        Charts.wholeCategoryLabels(plot);
        BarRenderer renderer = (BarRenderer) plot.getRenderer();
        Charts.flat(renderer);
        for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesPaint(i, Charts.colour(i));
        }
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator() {
            @Override
            public String generateLabel(CategoryDataset dataset, int row, int column) {
                return labels.get(dataset.getRowKey(row) + "\u0000" + dataset.getColumnKey(column));
            }
        });
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(Charts.LABEL_FONT);
        NumberAxis epochs = (NumberAxis) plot.getRangeAxis();
        integerTicks(epochs);
        epochs.setUpperMargin(0.15);
        return Optional.of(view(
                "parity",
                "Epochs to parity with fp32",
                "First epoch within " + format(study.tolerancePoints()) + " pp of the fp32 twin's best validation "
                        + "accuracy, median over seeds. A seed that never got there counts as one epoch beyond its "
                        + "run; a bar labelled \"> N\" means most seeds never reached parity in N epochs."
                        + cappedNote(bars),
                chart,
                Math.max(HEIGHT, 100 + 22 * data.getRowCount() * data.getColumnCount())));
    }

    /** Share of quantized weights that changed level in each epoch, mean over seeds. */
    private Optional<ChartView> flipRatio() {
        List<XYSeries> all = new ArrayList<>();
        for (RunGroup group : study.groups()) {
            if (group.isFullPrecision()) {
                continue;
            }
            XYSeries series = new XYSeries(study.label(group), true, false);
            group.byEpoch(e -> e.flipRatio() == null ? Double.NaN : e.flipRatio())
                    .forEach((epoch, seeds) -> series.add(epoch.intValue(), 100 * seeds.getAverage()));
            if (series.getItemCount() > 0) {
                all.add(series);
            }
        }
        if (all.isEmpty()) {
            return Optional.empty();
        }
        XYSeriesCollection data = new XYSeriesCollection();
        capped(all).forEach(data::addSeries);
        JFreeChart chart = ChartFactory.createXYLineChart(
                null, "epoch", "weights that changed level (%)", data, PlotOrientation.VERTICAL, true, false, false);
        XYPlot plot = chart.getXYPlot();
        plot.setRenderer(Charts.lines(data.getSeriesCount(), 0));
        integerTicks((NumberAxis) plot.getDomainAxis());
        return Optional.of(view(
                "flip-ratio",
                "Stability: flip ratio per epoch",
                "Share of quantized weights whose level changed during the epoch, mean over seeds. Diverged runs "
                        + "stop where they diverged and are counted in the main table." + cappedNote(all.size()),
                chart,
                HEIGHT));
    }

    /** Where the quantized weights sit after the last epoch: share per level value, all layers and seeds together. */
    private Optional<ChartView> levelOccupancy() {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        int groups = 0;
        for (RunGroup group : study.groups()) {
            List<Double> values = group.quantizer().values();
            // An alphabet with more levels than a chart has colours for would be a wall of slivers.
            if (group.isFullPrecision() || values.isEmpty() || values.size() > ReportLimits.MAX_SERIES_PER_CHART) {
                continue;
            }
            // In doubles: counts are checked to be at most 2^50 each, but their sum over many runs is not.
            double[] counts = new double[values.size()];
            double total = 0;
            for (StoredRun run : group.runs()) {
                if (run.epochs().isEmpty()) {
                    continue;
                }
                EpochRecord last = run.epochs().stream()
                        .max(Comparator.comparingInt(EpochRecord::epoch))
                        .orElseThrow();
                Map<String, List<Double>> alphabets = tensorAlphabets(run.run().memory());
                for (Map.Entry<String, List<Long>> tensor :
                        last.levelOccupancy().entrySet()) {
                    // A layer map may give a layer another alphabet: its counts are not counts of these values.
                    List<Double> own = alphabets.get(tensor.getKey());
                    if (tensor.getValue().size() != values.size() || (own != null && !own.equals(values))) {
                        continue;
                    }
                    for (int level = 0; level < counts.length; level++) {
                        counts[level] += tensor.getValue().get(level);
                        total += tensor.getValue().get(level);
                    }
                }
            }
            if (total == 0) {
                continue;
            }
            if (++groups > ReportLimits.MAX_SERIES_PER_CHART) {
                continue; // counted for the caption
            }
            for (int level = 0; level < counts.length; level++) {
                data.addValue(100.0 * counts[level] / total, Formats.level(values.get(level)), study.label(group));
            }
        }
        if (data.getColumnCount() == 0) {
            return Optional.empty();
        }
        JFreeChart chart = ChartFactory.createStackedBarChart(
                null, null, "share of quantized weights (%)", data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        Charts.wholeCategoryLabels(plot);
        StackedBarRenderer renderer = (StackedBarRenderer) plot.getRenderer();
        Charts.flat(renderer);
        for (int i = 0; i < data.getRowCount(); i++) {
            renderer.setSeriesPaint(i, Charts.colour(i));
        }
        ((NumberAxis) plot.getRangeAxis()).setRange(0, 100);
        int height = Math.max(HEIGHT, 120 + 28 * data.getColumnCount());
        return Optional.of(view(
                "level-occupancy",
                "Stability: level occupancy after the last epoch",
                "Share of all quantized weights on each level value (in units of the scale), every layer and seed "
                        + "together; the per-layer histograms are in each run's section." + cappedNote(groups),
                chart,
                height));
    }

    /** The alphabets that memory rows store for their tensors, by tensor name (one map, so a lookup per tensor). */
    private static Map<String, List<Double>> tensorAlphabets(MemoryRecord memory) {
        Map<String, List<Double>> alphabets = new HashMap<>();
        if (memory != null) {
            for (TensorMemory tensor : memory.tensors()) {
                if (tensor.values() != null) {
                    alphabets.putIfAbsent(tensor.name(), tensor.values());
                }
            }
        }
        return alphabets;
    }

    /** Mean test accuracy without and with augmentation, for run groups trained both ways. */
    private Optional<ChartView> augmentationPairs() {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        int pairs = 0;
        for (Pairs.Pair pair : Pairs.augmentation(study.groups())) {
            if (pair.without().testAccuracy().isEmpty()
                    || pair.with().testAccuracy().isEmpty()
                    || ++pairs > ReportLimits.MAX_SERIES_PER_CHART) {
                continue;
            }
            String category = pair.with().label();
            addWithInterval(data, pair.without().testAccuracy(), "no augmentation", category);
            addWithInterval(
                    data,
                    pair.with().testAccuracy(),
                    "augmentation '" + pair.with().key().recipe().augmentation() + "'",
                    category);
        }
        return pairChart(
                data,
                "augmentation-pairs",
                "Augmentation off and on",
                "Mean test accuracy over finished seeds of the same architecture, quantizer and recipe trained "
                        + "without and with augmentation" + intervalNote() + ". Unstable and diverged seeds are"
                        + " counted under F3 above." + cappedNote(pairs));
    }

    /** Mean test accuracy of each alphabet without zero beside its partner with zero. */
    private Optional<ChartView> zeroPairs() {
        DefaultStatisticalCategoryDataset data = new DefaultStatisticalCategoryDataset();
        int pairs = 0;
        for (Pairs.Pair pair : Pairs.zero(study.groups())) {
            RunGroup without = pair.without();
            RunGroup withZero = pair.with();
            if (without.testAccuracy().isEmpty()
                    || withZero.testAccuracy().isEmpty()
                    || ++pairs > ReportLimits.MAX_SERIES_PER_CHART) {
                continue;
            }
            String category = study.panel(withZero) + ": " + study.series(without) + " / " + study.series(withZero);
            addWithInterval(data, without.testAccuracy(), "without zero", category);
            addWithInterval(data, withZero.testAccuracy(), "with zero", category);
        }
        return pairChart(
                data,
                "zero-pairs",
                "Without and with a zero level",
                "Mean test accuracy over finished seeds of each even alphabet beside the same values plus zero"
                        + intervalNote() + ". Unstable and diverged seeds are counted under F4 above."
                        + cappedNote(pairs));
    }

    /** A bar's mean in percent, with its interval's half-width when there are two seeds or more (else no error bar). */
    private static void addWithInterval(
            DefaultStatisticalCategoryDataset data, Summary accuracy, String series, String category) {
        Double halfWidth = Double.isNaN(accuracy.halfWidth()) ? null : 100 * accuracy.halfWidth();
        data.add((Number) (100 * accuracy.mean()), halfWidth, series, category);
    }

    private String intervalNote() {
        return "; a whisker is the " + study.options().confidenceLabel() + " interval over seeds where there are at"
                + " least 2 (cut at 100%)";
    }

    private Optional<ChartView> pairChart(
            DefaultStatisticalCategoryDataset data, String id, String title, String caption) {
        if (data.getColumnCount() == 0) {
            return Optional.empty();
        }
        JFreeChart chart = ChartFactory.createBarChart(
                null, null, "test accuracy (%)", data, PlotOrientation.HORIZONTAL, true, false, false);
        CategoryPlot plot = chart.getCategoryPlot();
        Charts.wholeCategoryLabels(plot);
        // Draws each mean's interval as a whisker; the "standard deviation" it is given is the half-width.
        StatisticalBarRenderer renderer = new StatisticalBarRenderer();
        renderer.setErrorIndicatorPaint(Charts.REFERENCE);
        plot.setRenderer(renderer);
        Charts.flat(renderer);
        renderer.setSeriesPaint(0, Charts.colour(0));
        renderer.setSeriesPaint(1, Charts.colour(1));
        renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.00")));
        renderer.setDefaultItemLabelsVisible(true);
        renderer.setDefaultItemLabelFont(Charts.LABEL_FONT);
        NumberAxis accuracy = (NumberAxis) plot.getRangeAxis();
        Charts.accuracyAxis(accuracy);
        accuracy.setUpperMargin(0.1);
        // Two seeds' t of 12.7 can reach past 100%: the plot's edge cuts such a whisker where accuracy ends.
        if (accuracy.getUpperBound() > 100 || accuracy.getLowerBound() < 0) {
            accuracy.setRange(Math.max(0, accuracy.getLowerBound()), Math.min(100, accuracy.getUpperBound()));
        }
        int height = Math.max(260, 100 + 44 * data.getColumnCount());
        return Optional.of(view(id, title, caption, chart, height));
    }

    static ChartView view(String id, String title, String caption, JFreeChart chart, int height) {
        // The SVG's own id differs from its figure's: ids are unique on the page.
        return new ChartView(id, title, caption, Charts.svg(Charts.styled(chart), "chart-" + id, WIDTH, height));
    }

    private static void integerTicks(NumberAxis axis) {
        axis.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // no epoch 1.5
    }

    private static String format(double value) {
        return String.format(Locale.ROOT, value == Math.rint(value) ? "%.0f" : "%.1f", value);
    }
}
