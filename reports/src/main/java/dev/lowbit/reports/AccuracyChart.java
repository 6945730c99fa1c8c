package dev.lowbit.reports;

import dev.lowbit.api.result.EpochRecord;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** The learning-curve chart: validation accuracy per epoch, one line per run, as an inline SVG element. */
final class AccuracyChart {

    static {
        // JFreeChart measures text through AWT; on a server or in CI there is no display, and AWT must
        // be told so before its first use or it fails looking for one. An explicit setting wins.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        // By default JFreeChart draws rotated text (the y-axis label) through a TextLayout, which the
        // SVG backend turns into glyph outlines: unsearchable, unselectable and heavier. The workaround
        // is for old Java2D pipelines, not SVG; drawn plainly the label stays a <text> element.
        TextUtils.setUseDrawRotatedStringWorkaround(false);
    }

    /** The SVG element's id in the page. */
    static final String ELEMENT_ID = "accuracy-chart";

    private static final int WIDTH = 900;
    private static final int HEIGHT = 440;

    /**
     * Tableau 10: JFreeChart's default palette puts pale green and yellow fourth and fifth, which
     * nearly vanish on white; these stay readable and distinct for the common kinds of colour blindness.
     */
    private static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC),
    };

    private AccuracyChart() {
    }

    /**
     * Draws the chart for {@code runs} (in their order, so the legend follows the table).
     *
     * @return the {@code <svg>} element, or empty when no run has a stored epoch
     */
    static Optional<String> svg(List<StoredRun> runs) {
        XYSeriesCollection data = new XYSeriesCollection();
        Set<String> names = new HashSet<>();
        for (StoredRun run : runs) {
            if (run.epochs().isEmpty()) {
                continue;
            }
            // The same label can occur twice when suites merge; JFreeChart rejects duplicate keys.
            String name = run.seriesName();
            for (int n = 2; !names.add(name); n++) {
                name = run.seriesName() + " (" + n + ")";
            }
            XYSeries series = new XYSeries(name, true, false);
            for (EpochRecord epoch : run.epochs()) {
                // addOrUpdate: a resumed run may have logged an epoch twice; the later line wins.
                series.addOrUpdate(epoch.epoch(), 100 * epoch.validationAccuracy());
            }
            data.addSeries(series);
        }
        if (data.getSeriesCount() == 0) {
            return Optional.empty();
        }
        SVGGraphics2D g2 = new SVGGraphics2D(WIDTH, HEIGHT);
        chart(data).draw(g2, new Rectangle2D.Double(0, 0, WIDTH, HEIGHT));
        // A viewBox lets the page's CSS scale the chart to the column width.
        return Optional.of(g2.getSVGElement(ELEMENT_ID, true, new ViewBox(0, 0, WIDTH, HEIGHT), null, null));
    }

    private static JFreeChart chart(XYSeriesCollection data) {
        JFreeChart chart = ChartFactory.createXYLineChart(
                null, "epoch", "validation accuracy (%)", data, PlotOrientation.VERTICAL, true, false, false);
        chart.setBackgroundPaint(Color.WHITE);
        XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        plot.setRangeGridlinePaint(new Color(0xDD, 0xDD, 0xDD));
        NumberAxis epochs = (NumberAxis) plot.getDomainAxis();
        epochs.setStandardTickUnits(NumberAxis.createIntegerTickUnits()); // no epoch 1.5
        NumberAxis accuracy = (NumberAxis) plot.getRangeAxis();
        accuracy.setAutoRangeIncludesZero(false); // differences of a point must stay visible
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
            renderer.setSeriesPaint(i, PALETTE[i % PALETTE.length]);
        }
        plot.setRenderer(renderer);
        return chart;
    }
}
