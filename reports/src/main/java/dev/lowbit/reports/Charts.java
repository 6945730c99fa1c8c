package dev.lowbit.reports;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.geom.Rectangle2D;
import java.util.regex.Pattern;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.Plot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.text.TextUtils;
import org.jfree.svg.SVGGraphics2D;
import org.jfree.svg.ViewBox;

/** The look every chart shares, and the one way a JFreeChart becomes an inline SVG element. */
final class Charts {

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

    /**
     * Tableau 10: JFreeChart's default palette puts pale green and yellow fourth and fifth, which
     * nearly vanish on white; these stay readable and distinct for the common kinds of colour blindness.
     */
    static final Color[] PALETTE = {
        new Color(0x4E79A7), new Color(0xF28E2B), new Color(0xE15759), new Color(0x76B7B2), new Color(0x59A14F),
        new Color(0xEDC948), new Color(0xB07AA1), new Color(0xFF9DA7), new Color(0x9C755F), new Color(0xBAB0AC),
    };

    /** The fp32 reference: grey, so the quantized lines carry the colour. */
    static final Color REFERENCE = new Color(0x8C8C8C);

    static final Color GRID = new Color(0xDD, 0xDD, 0xDD);

    static final BasicStroke LINE = new BasicStroke(2f);

    static final BasicStroke DASHED =
            new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f);

    static final Font LABEL_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private Charts() {}

    static Color colour(int index) {
        return PALETTE[index % PALETTE.length];
    }

    /**
     * An accuracy axis in percent: not from zero, so a difference of a point stays visible, and at
     * least a point tall, so equal accuracies do not collapse it to repeated tick labels.
     */
    static void accuracyAxis(NumberAxis axis) {
        axis.setAutoRangeIncludesZero(false);
        axis.setAutoRangeMinimumSize(1.0);
    }

    /** Solid lines with point shapes, series {@code i} in the palette's colour {@code firstColour + i}. */
    static XYLineAndShapeRenderer lines(int series, int firstColour) {
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < series; i++) {
            renderer.setSeriesStroke(i, LINE);
            renderer.setSeriesPaint(i, colour(firstColour + i));
        }
        return renderer;
    }

    /**
     * Category labels drawn whole. Beside a horizontal plot JFreeChart cuts a label wider than 30% of the
     * plot to "...", and a cut label such as {@code fcnn-large: quaternary@absmax/tensor / quinary@absmax/tensor}
     * can no longer be matched to the table; the bars keep at least half the width.
     */
    static void wholeCategoryLabels(CategoryPlot plot) {
        plot.getDomainAxis().setMaximumCategoryLabelWidthRatio(1.0f);
    }

    /** Flat bars: JFreeChart's default gradient and shadow only blur the values. */
    static void flat(BarRenderer renderer) {
        renderer.setShadowVisible(false);
        renderer.setBarPainter(new StandardBarPainter());
    }

    /** White background and light grid lines, the same for every plot kind. */
    static JFreeChart styled(JFreeChart chart) {
        chart.setBackgroundPaint(Color.WHITE);
        Plot plot = chart.getPlot();
        plot.setBackgroundPaint(Color.WHITE);
        if (plot instanceof XYPlot xy) {
            xy.setDomainGridlinePaint(GRID);
            xy.setRangeGridlinePaint(GRID);
        } else if (plot instanceof CategoryPlot category) {
            category.setRangeGridlinePaint(GRID);
        }
        return chart;
    }

    /** What an SVG id may be made of; see {@link #svg}. */
    private static final Pattern SAFE_ID = Pattern.compile("[a-z][a-z0-9-]{0,99}");

    /**
     * The chart drawn as an {@code <svg>} element with a viewBox, so the page's CSS scales it to the
     * column width.
     *
     * @param id the element's id and the prefix of the clip-path ids inside it; JFreeSVG writes it into
     *     attributes unescaped ({@code id='...'}, {@code clip-path='url(#...)'}), so it must never carry
     *     text from a results folder: it is made by the report, and checked here
     * @throws IllegalArgumentException if {@code id} is not lower-case letters, digits and dashes
     */
    static String svg(JFreeChart chart, String id, int width, int height) {
        if (!SAFE_ID.matcher(id).matches()) {
            throw new IllegalArgumentException("An SVG id must match " + SAFE_ID + ", got '" + id + "'");
        }
        SVGGraphics2D g2 = new SVGGraphics2D(width, height);
        // Clip paths and gradients get ids; with many charts on one page they must not collide.
        g2.setDefsKeyPrefix(id + "-");
        chart.draw(g2, new Rectangle2D.Double(0, 0, width, height));
        return g2.getSVGElement(id, true, new ViewBox(0, 0, width, height), null, null);
    }
}
