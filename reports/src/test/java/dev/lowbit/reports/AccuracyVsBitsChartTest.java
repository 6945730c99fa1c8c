package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The accuracy-against-bits chart as JFreeSVG writes it: the fp32 twin's dashed level is drawn inside
 * the plot wherever it lies against the low-bit points, and a point has an interval bar only when at
 * least two seeds finished. fcnn-small with ternary (86.12%) and binary (78.51%), the fp32 twin as each
 * test says.
 */
class AccuracyVsBitsChartTest {

    /** How JFreeSVG writes {@link Charts#DASHED}, the fp32 level's stroke; grid lines are dashed 2,2. */
    private static final String FP32_DASHES = "stroke-dasharray:6.0,4.0";

    private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?");

    @TempDir
    Path dir;

    private Path results() {
        return dir.resolve("results");
    }

    private Element chart() throws IOException {
        Path page = new ReportWriter().write(results(), dir.resolve("report").resolve("index.html"));
        Document document = PageSafety.assertSafe(Files.readString(page));
        Element svg = document.selectFirst("figure#accuracy-vs-bits svg");
        assertThat(svg).as("the accuracy-vs-bits chart").isNotNull();
        return svg;
    }

    private void write(String runId, QuantizerRecord quantizer, MemoryRecord memory, long seed, double test) {
        ResultsFixture.writeFinished(results(), runId, quantizer, memory, seed, test);
    }

    private void writeStudy(double fp32) {
        write("fp32-s1", ResultsFixture.fp32(), ResultsFixture.FP32_MEMORY, 1, fp32);
        write("ternary-s1", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 1, 0.8612);
        write("binary-s1", ResultsFixture.binary(), ResultsFixture.BINARY_MEMORY, 1, 0.7851);
    }

    /**
     * JFreeChart's auto range left markers out: an fp32 level beyond every point fell outside the axis
     * and its line was not drawn at all. Above, the label (drawn above the line) must fit too.
     */
    @ParameterizedTest
    @ValueSource(doubles = {0.9500, 0.6000})
    void theFp32LevelIsDrawnInsideThePlotWhenItIsBeyondEveryLowBitPoint(double fp32) throws IOException {
        writeStudy(fp32);

        Element svg = chart();

        List<Element> levels = svg.select("line[style*='" + FP32_DASHES + "']");
        assertThat(levels).as("dashed fp32 lines").hasSize(1);
        Element level = levels.get(0);
        double[] plot = plotArea(svg, level);
        double y = number(level, "y1");
        assertThat(number(level, "y2")).isEqualTo(y);
        assertThat(y)
                .as("the line's y against the plot's top %s and bottom %s", plot[1], plot[3])
                .isGreaterThan(plot[1])
                .isLessThan(plot[3]);
        Element label = svg.select("text").stream()
                .filter(t -> t.text().equals("fp32 fcnn-small"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no label 'fp32 fcnn-small'"));
        double baseline = number(label, "y");
        assertThat(baseline - Charts.LABEL_FONT.getSize()).as("the label's top").isGreaterThan(plot[1]);
        assertThat(baseline)
                .as("the label's baseline, just above its line")
                .isLessThan(y)
                .isGreaterThan(plot[1]);
    }

    @Test
    void aPointOfOneSeedHasNoIntervalBar() throws IOException {
        writeStudy(0.8750);

        assertThat(intervalBars(chart())).isEmpty();
    }

    /** lowbit writes NaN when there is no accuracy; a crafted finished run may too. */
    @Test
    void twoSeedsOfWhichOneStoredNoAccuracyHaveNoBar() throws IOException {
        writeStudy(0.8750);
        write("ternary-s2", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 2, Double.NaN);

        Element svg = chart();

        assertThat(intervalBars(svg)).isEmpty();
        assertThat(svg.outerHtml()).doesNotContain("NaN");
    }

    @Test
    void aPointOfTwoSeedsHasABarSpanningItsIntervalFromSummary() throws IOException {
        writeStudy(0.8750);
        write("ternary-s2", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 2, 0.8412);

        Element svg = chart();

        List<Element> bars = intervalBars(svg);
        assertThat(bars).as("one bar: ternary has two seeds, binary one").hasSize(1);
        Element bar = bars.get(0);
        double top = Math.min(number(bar, "y1"), number(bar, "y2"));
        double bottom = Math.max(number(bar, "y1"), number(bar, "y2"));
        double fp32 = number(svg.selectFirst("line[style*='" + FP32_DASHES + "']"), "y1");
        // The axis is linear: the bar's length against the distance from its middle (the mean) to the
        // fp32 level is the interval's width against fp32 minus the mean, whatever the scale.
        Summary ternary = Summary.of(new double[] {0.8612, 0.8412});
        assertThat((bottom - top) / ((top + bottom) / 2 - fp32))
                .isCloseTo(2 * ternary.halfWidth() / (0.8750 - ternary.mean()), within(1e-3));
        double[] plot = plotArea(svg, bar);
        assertThat(top).as("the bar's top inside the plot").isGreaterThan(plot[1]);
        assertThat(bottom).as("the bar's bottom inside the plot").isLessThan(plot[3]);
    }

    @Test
    void theCaptionSaysWhatTheBarsAre() throws IOException {
        writeStudy(0.8750);

        assertThat(chart().closest("figure").selectFirst("figcaption").text())
                .contains("a bar is the 95% interval over seeds (cut at 100%), drawn where there are at least 2");
    }

    /**
     * The interval bars: vertical lines in a line's colour at 1 px. The lines joining points are 2 px,
     * grid lines and ticks grey hairlines.
     */
    private static List<Element> intervalBars(Element svg) {
        return svg.select("line[style*='stroke-width:1.0;']").stream()
                .filter(l -> l.attr("x1").equals(l.attr("x2")) && !l.attr("y1").equals(l.attr("y2")))
                .filter(l -> l.attr("style").contains(rgb(Charts.colour(0))))
                .toList();
    }

    private static String rgb(Color colour) {
        return "stroke:rgb(" + colour.getRed() + "," + colour.getGreen() + "," + colour.getBlue() + ")";
    }

    /**
     * The plot's data area as {@code {left, top, right, bottom}}: the rectangle JFreeChart clips
     * {@code element} to, read from its clip path.
     */
    private static double[] plotArea(Element svg, Element element) {
        Matcher reference = Pattern.compile("url\\(#([a-z0-9-]+)\\)").matcher(element.attr("clip-path"));
        assertThat(reference.matches()).as("clip-path of %s", element).isTrue();
        Element clip = svg.getElementById(reference.group(1));
        assertThat(clip).as("clip path %s", reference.group(1)).isNotNull();
        Matcher numbers = NUMBER.matcher(clip.selectFirst("path").attr("d"));
        double[] xs = new double[4];
        double[] ys = new double[4];
        for (int i = 0; i < 4 && numbers.find(); i++) {
            xs[i] = Double.parseDouble(numbers.group());
            assertThat(numbers.find()).isTrue();
            ys[i] = Double.parseDouble(numbers.group());
        }
        return new double[] {
            Arrays.stream(xs).min().orElseThrow(),
            Arrays.stream(ys).min().orElseThrow(),
            Arrays.stream(xs).max().orElseThrow(),
            Arrays.stream(ys).max().orElseThrow()
        };
    }

    private static double number(Element element, String attribute) {
        return Double.parseDouble(element.attr(attribute));
    }
}
