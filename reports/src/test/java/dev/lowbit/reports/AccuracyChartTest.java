package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.result.EpochRecord;
import java.util.List;
import java.util.Optional;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Element;
import org.jsoup.parser.Parser;
import org.junit.jupiter.api.Test;

class AccuracyChartTest {

    private static StoredRun run(String suite, String runId, List<EpochRecord> epochs) {
        return new StoredRun(ResultsFixture.finished(runId, ResultsFixture.config(suite, "cnn", "binary", 3),
                ResultsFixture.binary(), ResultsFixture.BINARY_MEMORY, epochs, 0.8), epochs);
    }

    private static List<String> texts(String svg) {
        Element root = Jsoup.parse(svg, "", Parser.xmlParser()).selectFirst("svg");
        assertThat(root.id()).isEqualTo(AccuracyChart.ELEMENT_ID);
        return root.select("text").eachText();
    }

    @Test
    void runsAreHeadlessWithoutBeingToldSo() {
        AccuracyChart.svg(List.of(run("quick", "a", ResultsFixture.epochs(0.5))));

        assertThat(System.getProperty("java.awt.headless")).isEqualTo("true");
    }

    @Test
    void sameLabelFromTwoSuitesBecomesTwoDistinctLines() {
        Optional<String> svg = AccuracyChart.svg(List.of(
                run("quick", "a", ResultsFixture.epochs(0.5, 0.6)),
                run("paper", "b", ResultsFixture.epochs(0.7, 0.8))));

        assertThat(texts(svg.orElseThrow())).contains("cnn / binary / seed 3", "cnn / binary / seed 3 (2)");
    }

    @Test
    void axisLabelsAreTextAndEpochTicksAreWholeNumbers() {
        String svg = AccuracyChart.svg(List.of(run("quick", "a", ResultsFixture.epochs(0.5, 0.6)))).orElseThrow();

        assertThat(texts(svg)).contains("epoch", "validation accuracy (%)", "1", "2")
                .doesNotContain("1.5", "1.2", "1.0");
    }

    @Test
    void runsWithoutEpochsAreLeftOutAndNoEpochsAtAllMeansNoChart() {
        assertThat(AccuracyChart.svg(List.of(run("quick", "a", List.of())))).isEmpty();

        String svg = AccuracyChart.svg(List.of(run("quick", "a", List.of()),
                run("quick", "b", ResultsFixture.epochs(0.5)))).orElseThrow();
        assertThat(texts(svg)).containsOnlyOnce("cnn / binary / seed 3");
    }
}
