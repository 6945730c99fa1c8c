package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The without/with-zero chart (and the augmentation one, drawn the same way) shows each mean's
 * interval over seeds as a whisker where at least two seeds finished, as F3 and F4 judge from
 * intervals: fcnn-small binary beside ternary.
 */
class PairChartsTest {

    @TempDir
    Path dir;

    @Test
    void aBarOfTwoSeedsHasAWhiskerAndABarOfOneSeedHasNone() throws IOException {
        write("fp32-s1", ResultsFixture.fp32(), ResultsFixture.FP32_MEMORY, 1, 0.8750);
        write("binary-s1", ResultsFixture.binary(), ResultsFixture.BINARY_MEMORY, 1, 0.7851);
        write("ternary-s1", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 1, 0.8612);
        assertThat(whiskers()).as("one seed on each side: no whisker").isEmpty();

        write("ternary-s2", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 2, 0.8412);
        // A whisker is its line and two end caps, all in the reference grey.
        assertThat(whiskers()).as("ternary's two seeds: one whisker").hasSize(3);
        assertThat(figure().selectFirst("figcaption").text())
                .contains("a whisker is the 95% interval over seeds where there are at least 2 (cut at 100%)");
    }

    @Test
    void twoSeedsFarApartKeepTheAxisWithinAHundredPercent() throws IOException {
        write("fp32-s1", ResultsFixture.fp32(), ResultsFixture.FP32_MEMORY, 1, 0.8750);
        write("binary-s1", ResultsFixture.binary(), ResultsFixture.BINARY_MEMORY, 1, 0.7851);
        write("ternary-s1", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 1, 0.9612);
        write("ternary-s2", ResultsFixture.ternary(), ResultsFixture.TERNARY_MEMORY, 2, 0.7412); // ± 139.8 pp

        List<String> ticks = figure().select("svg text").eachText().stream()
                .filter(t -> t.matches("\\d+(\\.\\d+)?"))
                .toList();
        assertThat(ticks).isNotEmpty().allMatch(t -> Double.parseDouble(t) <= 100);
    }

    private Element figure() throws IOException {
        Path page = new ReportWriter()
                .write(dir.resolve("results"), dir.resolve("report").resolve("index.html"));
        Document document = PageSafety.assertSafe(Files.readString(page));
        Element figure = document.selectFirst("figure#zero-pairs");
        assertThat(figure).as("the zero-pairs chart").isNotNull();
        return figure;
    }

    private List<Element> whiskers() throws IOException {
        Color grey = Charts.REFERENCE;
        String stroke = "stroke:rgb(" + grey.getRed() + "," + grey.getGreen() + "," + grey.getBlue() + ")";
        return figure().select("svg line[style*='" + stroke + "']");
    }

    private void write(String runId, QuantizerRecord quantizer, MemoryRecord memory, long seed, double test) {
        ResultsFixture.writeFinished(dir.resolve("results"), runId, quantizer, memory, seed, test);
    }
}
