package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12: several specs share one quantizer id ({@code ternary@mse/tensor} and {@code ternary@absmax/tensor}
 * are both {@code ternary}). The report names runs by spec, so it renders and each chart tells them apart.
 *
 * <p>The study: fcnn-small and fcnn-large x the specs below x seeds 1 and 2, three epochs each, with flip
 * ratios and level occupancy so every study chart that can be drawn from them is.
 */
class SharedQuantizerIdTest {

    private static final List<String> ARCHITECTURES = List.of("fcnn-small", "fcnn-large");

    /** The low-bit specs in report order: most bits first, then by spec. */
    private static final List<String> LOW_BIT =
            List.of("k17@absmean/tensor", "k17@mse/tensor", "ternary@absmax/tensor", "ternary@mse/tensor");

    private static final List<String> SPECS =
            Stream.concat(Stream.of("fp32"), LOW_BIT.stream()).toList();

    /** How charts name each spec: with its weight bits, fp32 inputs (so no A). */
    private static final List<String> NAMED_LOW_BIT = List.of(
            "k17@absmean/tensor W4.09",
            "k17@mse/tensor W4.09",
            "ternary@absmax/tensor W1.58",
            "ternary@mse/tensor W1.58");

    private static final List<String> NAMED =
            Stream.concat(Stream.of("fp32 W32"), NAMED_LOW_BIT.stream()).toList();

    private static final MemoryRecord K17_MEMORY = new MemoryRecord(101_760, 100_480, 2, 407_040, 56_500);

    @TempDir
    Path dir;

    private Path results;

    private Document page;

    @BeforeEach
    void renderTheStudy() throws IOException {
        results = dir.resolve("results");
        for (String architecture : ARCHITECTURES) {
            for (long seed : new long[] {1, 2}) {
                write(
                        results,
                        architecture,
                        "fp32",
                        ResultsFixture.fp32(),
                        ResultsFixture.FP32_MEMORY,
                        seed,
                        0.8750,
                        0.80,
                        0.85,
                        0.88);
                write(
                        results,
                        architecture,
                        "ternary@mse/tensor",
                        ternary(),
                        ResultsFixture.TERNARY_MEMORY,
                        seed,
                        0.8612,
                        0.78,
                        0.87,
                        0.86);
                write(
                        results,
                        architecture,
                        "ternary@absmax/tensor",
                        ternary(),
                        ResultsFixture.TERNARY_MEMORY,
                        seed,
                        0.7851,
                        0.70,
                        0.75,
                        0.79);
                write(results, architecture, "k17@absmean/tensor", k17(), K17_MEMORY, seed, 0.8720, 0.80, 0.86, 0.88);
                write(results, architecture, "k17@mse/tensor", k17(), K17_MEMORY, seed, 0.8740, 0.81, 0.87, 0.88);
            }
        }
        page = render();
    }

    private Document render() throws IOException {
        Path out = new ReportWriter().write(results, dir.resolve("report").resolve("index.html"));
        return Jsoup.parse(Files.readString(out));
    }

    @Test
    void theMainTableHasOneRowPerArchitectureAndSpec() {
        assertThat(page.select("table#groups tbody tr")).hasSize(10);
        assertThat(page.select("table#groups tbody td.quantizer").eachText()).containsExactlyElementsOf(twice(SPECS));
    }

    @Test
    void eachLearningCurveNamesEverySpecOnce() {
        for (int panel = 0; panel < ARCHITECTURES.size(); panel++) {
            List<String> legend = texts("curve-" + panel).stream()
                    .filter(t -> t.endsWith(" seeds)"))
                    .toList();

            // The quantized lines first, then the fp32 band.
            assertThat(legend)
                    .as("curve-%d", panel)
                    .containsExactly(
                            "k17@absmean/tensor W4.09 (2 seeds)",
                            "k17@mse/tensor W4.09 (2 seeds)",
                            "ternary@absmax/tensor W1.58 (2 seeds)",
                            "ternary@mse/tensor W1.58 (2 seeds)",
                            "fp32 W32 (2 seeds)");
        }
        assertThat(page.select("figure[id^=curve-] h3").eachText())
                .containsExactly(
                        "Validation accuracy per epoch: fcnn-large", "Validation accuracy per epoch: fcnn-small");
    }

    @Test
    void accuracyAgainstBitsDrawsALinePerArchitectureAndScaleRuleAndNamesEachPointBySpec() {
        List<String> texts = texts("accuracy-vs-bits");

        assertThat(texts)
                .filteredOn(t -> t.startsWith("fcnn-"))
                .containsExactly(
                        "fcnn-large @absmean/tensor",
                        "fcnn-large @mse/tensor",
                        "fcnn-large @absmax/tensor",
                        "fcnn-small @absmean/tensor",
                        "fcnn-small @mse/tensor",
                        "fcnn-small @absmax/tensor");
        assertThat(texts).filteredOn(NAMED_LOW_BIT::contains).containsExactlyInAnyOrderElementsOf(twice(NAMED_LOW_BIT));
        assertThat(texts).filteredOn(t -> t.startsWith("fp32")).containsExactly("fp32 fcnn-large", "fp32 fcnn-small");
    }

    @Test
    void accuracyAgainstBytesNamesEachPointBySpecOncePerArchitecture() {
        List<String> texts = texts("accuracy-vs-bytes");

        assertThat(texts).filteredOn(NAMED::contains).containsExactlyInAnyOrderElementsOf(twice(NAMED));
        assertThat(texts)
                .filteredOn(t -> t.startsWith("fcnn-") || t.equals("Pareto front"))
                .containsExactly("Pareto front", "fcnn-large", "fcnn-small");
    }

    @Test
    void parityHasOneCategoryPerSpec() {
        assertThat(texts("parity")).filteredOn(NAMED::contains).containsExactlyElementsOf(NAMED_LOW_BIT);
    }

    @Test
    void flipRatioAndLevelOccupancyNameEachArchitectureAndSpecOnce() {
        List<String> groups = ARCHITECTURES.stream()
                .sorted()
                .flatMap(architecture -> NAMED_LOW_BIT.stream().map(spec -> architecture + " / " + spec))
                .toList();

        assertThat(texts("flip-ratio")).filteredOn(t -> t.startsWith("fcnn-")).containsExactlyElementsOf(groups);
        assertThat(texts("level-occupancy"))
                .filteredOn(t -> t.startsWith("fcnn-"))
                .containsExactlyElementsOf(groups);
    }

    @Test
    void zeroPairsNameBothSpecsAndPairOnlyTheSameScaleRule() throws IOException {
        QuantizerRecord binary = ResultsFixture.binary();
        for (String architecture : ARCHITECTURES) {
            for (long seed : new long[] {1, 2}) {
                write(
                        results,
                        architecture,
                        "binary@mse/tensor",
                        binary,
                        ResultsFixture.BINARY_MEMORY,
                        seed,
                        0.7800,
                        0.70,
                        0.75,
                        0.78);
                write(
                        results,
                        architecture,
                        "binary@absmax/tensor",
                        binary,
                        ResultsFixture.BINARY_MEMORY,
                        seed,
                        0.7700,
                        0.70,
                        0.74,
                        0.77);
            }
        }

        List<String> texts =
                render().selectFirst("figure#zero-pairs svg").select("text").eachText();

        assertThat(texts)
                .filteredOn(t -> t.startsWith("fcnn-"))
                .containsExactly(
                        "fcnn-large: binary@absmax/tensor W1 / ternary@absmax/tensor W1.58",
                        "fcnn-large: binary@mse/tensor W1 / ternary@mse/tensor W1.58",
                        "fcnn-small: binary@absmax/tensor W1 / ternary@absmax/tensor W1.58",
                        "fcnn-small: binary@mse/tensor W1 / ternary@mse/tensor W1.58");
    }

    @Test
    void eachRunsSectionIsTitledWithItsSpec() {
        Element section = page.getElementById("run-" + runId("fcnn-small", "ternary@absmax/tensor", 2));

        assertThat(section.selectFirst("summary strong").text())
                .isEqualTo("fcnn-small / ternary@absmax/tensor W1.58 / seed 2");
    }

    @Test
    void theSameGridAtAnotherTrainingSetSizeGetsPanelsOfItsOwn() throws IOException {
        // The same grid run again with --train-limit 1000 into the same results folder: same architecture,
        // spec and seed, so only the training images tell the groups apart.
        for (String spec : List.of("fp32", "ternary@mse/tensor")) {
            QuantizerRecord quantizer = spec.equals("fp32") ? ResultsFixture.fp32() : ternary();
            MemoryRecord memory = spec.equals("fp32") ? ResultsFixture.FP32_MEMORY : ResultsFixture.TERNARY_MEMORY;
            RunConfig base = ResultsFixture.config("quick", "fcnn-small", spec, 1);
            RunConfig limited = new RunConfig(
                    base.suite(),
                    base.dataset(),
                    base.architecture(),
                    base.quantizer(),
                    base.layerPolicy(),
                    base.activations(),
                    base.recipe(),
                    1000,
                    base.validationShare(),
                    base.seed());
            List<EpochRecord> epochs = epochs(quantizer, 0.70, 0.74, 0.76);
            ResultsFixture.write(
                    results,
                    ResultsFixture.finished(
                            "fcnn-small-1000-" + spec.replaceAll("[@/]", "-"),
                            limited,
                            quantizer,
                            memory,
                            epochs,
                            0.7600),
                    epochs);
        }

        Document rendered = render();

        assertThat(rendered.select("figure[id^=curve-] h3").eachText())
                .contains(
                        "Validation accuracy per epoch: fcnn-small / 1000 images",
                        "Validation accuracy per epoch: fcnn-small / 6000 images");
        assertThat(rendered.select("figure#flip-ratio svg text").eachText())
                .contains(
                        "fcnn-small / 1000 images / ternary@mse/tensor W1.58",
                        "fcnn-small / 6000 images / ternary@mse/tensor W1.58");
    }

    /** Every text of the chart {@code id}'s SVG, in drawing order: axes, item labels, then the legend. */
    private List<String> texts(String id) {
        Element svg = page.selectFirst("figure#" + id + " svg");
        assertThat(svg).as("chart %s", id).isNotNull();
        return svg.select("text").eachText();
    }

    private static List<String> twice(List<String> values) {
        List<String> both = new ArrayList<>(values);
        both.addAll(values);
        return both;
    }

    private static String runId(String architecture, String spec, long seed) {
        return architecture + "-" + spec.replaceAll("[@/]", "-") + "-s" + seed;
    }

    private static void write(
            Path results,
            String architecture,
            String spec,
            QuantizerRecord quantizer,
            MemoryRecord memory,
            long seed,
            double test,
            double... validation) {
        List<EpochRecord> epochs = epochs(quantizer, validation);
        ResultsFixture.write(
                results,
                ResultsFixture.finished(
                        runId(architecture, spec, seed),
                        ResultsFixture.config("quick", architecture, spec, seed),
                        quantizer,
                        memory,
                        epochs,
                        test),
                epochs);
    }

    /** Epochs with the stability diagnostics a quantized run stores: a falling flip ratio, ten weights per level. */
    private static List<EpochRecord> epochs(QuantizerRecord quantizer, double... validation) {
        boolean quantized = quantizer.levels() > 0;
        Map<String, List<Long>> occupancy =
                quantized ? Map.of("fc1.weight", Collections.nCopies(quantizer.levels(), 10L)) : Map.of();
        return IntStream.range(0, validation.length)
                .mapToObj(i -> new EpochRecord(
                        i + 1,
                        1.0 / (i + 2),
                        validation[i] - 0.01,
                        1.1 / (i + 2),
                        validation[i],
                        2.5,
                        0.001,
                        quantized ? 0.1 / (i + 1) : null,
                        quantized ? 0.0 : null,
                        0,
                        occupancy))
                .toList();
    }

    private static QuantizerRecord ternary() {
        return ResultsFixture.ternary();
    }

    private static QuantizerRecord k17() {
        return new QuantizerRecord(
                "k17",
                17,
                IntStream.rangeClosed(-8, 8).mapToObj(v -> (double) v).toList(),
                true,
                Math.log(17) / Math.log(2),
                "mse per-tensor");
    }
}
