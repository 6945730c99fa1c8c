package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.cli.ChildLowbit;
import dev.lowbit.harness.cli.CliTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The study published in docs/study (issue #16): every published run is a run of the paper-lite
 * plan that trained to its end, and the published report is what {@code lowbit report
 * docs/study/results} makes from the published files, byte for byte apart from the generation time.
 */
class PublishedStudyTest {

    /** The repository: tests run in the harness module's folder. */
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    /** As a user types it from the repository's root, which the page prints. */
    private static final String RESULTS = "docs/study/results";

    private static final Path PUBLISHED = ROOT.resolve(RESULTS);
    private static final Pattern GENERATED_AT = Pattern.compile("\"generatedAt\":\"([^\"]+)\"");
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theReportRegeneratesFromThePublishedRunsByteForByteApartFromItsTime(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("index.html");
        Path log = dir.resolve("report.log");
        Process report = ChildLowbit.startIn(ROOT, log, "report", RESULTS, "-o", page.toString());
        assertThat(report.waitFor(5, TimeUnit.MINUTES))
                .as("lowbit report finishes")
                .isTrue();
        assertThat(report.exitValue()).as(Files.readString(log)).isZero();

        Path published = PUBLISHED.resolve("report").resolve("index.html");
        assertThat(withoutTime(Files.readString(page))).isEqualTo(withoutTime(Files.readString(published)));
        assertThat(Files.readAllBytes(dir.resolve("index.csv")))
                .isEqualTo(Files.readAllBytes(PUBLISHED.resolve("report").resolve("index.csv")));
    }

    @Test
    void everyPublishedRunIsAPaperLiteRunThatTrainedToItsEndAndHoldsNoModel() throws Exception {
        CliTest.Result plan = lowbit("plan", "--suite", "paper-lite");
        assertThat(plan.exitCode()).as(plan.err()).isZero();
        Set<String> planned = plan.out()
                .lines()
                .map(line -> line.split("\\s+")[0])
                .filter(id -> id.matches("[a-z0-9-]+\\.[a-z0-9]+\\.s\\d+\\.[0-9a-f]{8}"))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(planned).hasSize(216);

        Path suite = PUBLISHED.resolve("paper-lite");
        List<Path> runs;
        try (Stream<Path> folders = Files.list(suite)) {
            runs = folders.filter(Files::isDirectory).sorted().toList();
        }
        assertThat(runs).isNotEmpty();
        for (Path run : runs) {
            assertThat(planned)
                    .as("published run %s is in the plan", run.getFileName())
                    .contains(run.getFileName().toString());
            JsonNode record = JSON.readTree(run.resolve("run.json").toFile());
            assertThat(record.get("status").asText()).as(run.toString()).isIn("FINISHED", "DIVERGED");
            assertThat(run.resolve("epochs.jsonl"))
                    .as("its epochs are published")
                    .isRegularFile();
            try (Stream<Path> files = Files.list(run)) {
                // No checkpoints, models or predictions: the report needs none of them.
                assertThat(files.map(f -> f.getFileName().toString()))
                        .allMatch(name -> Set.of("run.json", "epochs.jsonl", "config.json")
                                .contains(name));
            }
        }
    }

    @Test
    void theReadmeShowsTheReportsNumbersAndVerdicts() throws Exception {
        Document report =
                Jsoup.parse(PUBLISHED.resolve("report").resolve("index.html").toFile(), "UTF-8");
        String expected = START + "\n" + headlineTable(report) + "\n" + verdictTable(report) + END;
        String readme = Files.readString(ROOT.resolve("README.md"));
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start)
                .as("README.md marks the study's tables with %s ... %s", START, END)
                .isNotNegative();
        assertThat(readme.substring(start, end + END.length()))
                .as("README.md's study tables are the published report's; paste this block in README.md:%n%s", expected)
                .isEqualTo(expected);
        long published;
        try (Stream<Path> runs = Files.list(PUBLISHED.resolve("paper-lite"))) {
            published = runs.filter(Files::isDirectory).count();
        }
        assertThat(readme)
                .as("README.md's study section says how many runs are published")
                .contains("- Status: " + published + " of 216 runs");
    }

    private static final String START = "<!-- study tables: made from docs/study/results/report/index.html by"
            + " PublishedStudyTest; do not edit by hand -->";
    private static final String END = "<!-- end of study tables -->";

    /**
     * One row per architecture x alphabet, both recipes side by side: the main table's test accuracy with
     * its interval, the gap to fp32, each seed's epochs to parity, and the packed size and compression.
     */
    static String headlineTable(Document report) {
        Map<String, Map<String, Element>> byAlphabet = new LinkedHashMap<>();
        List<String> recipes = new ArrayList<>();
        for (Element row : report.select("table#groups tbody tr")) {
            String recipe = text(row, "recipe");
            if (!recipes.contains(recipe)) {
                recipes.add(recipe);
            }
            byAlphabet
                    .computeIfAbsent(
                            text(row, "architecture") + " | " + text(row, "quantizer") + " | " + text(row, "bits"),
                            k -> new LinkedHashMap<>())
                    .put(recipe, row);
        }
        StringBuilder table = new StringBuilder("| architecture | alphabet | bits |");
        StringBuilder rule = new StringBuilder("|---|---|---|");
        for (String recipe : recipes) {
            table.append(" ").append(recipe).append(": test accuracy | Δ vs fp32 | epochs to parity |");
            rule.append("---:|---:|---|");
        }
        table.append(" packed | compression |\n").append(rule).append("---:|---:|\n");
        byAlphabet.forEach((alphabet, rows) -> {
            table.append("| ").append(alphabet).append(" |");
            for (String recipe : recipes) {
                Element row = rows.get(recipe);
                table.append(
                        row == null
                                ? " — | — | — |"
                                : " " + text(row, "accuracy") + " | " + text(row, "delta") + " | " + text(row, "parity")
                                        + " |");
            }
            Element any = rows.values().iterator().next();
            table.append(" ")
                    .append(text(any, "packed-bytes"))
                    .append(" | ")
                    .append(text(any, "compression"))
                    .append(" |\n");
        });
        return table.toString();
    }

    /** One row per finding: its verdict, then each aspect's verdict and effect as the page states them. */
    static String verdictTable(Document report) {
        StringBuilder table = new StringBuilder("""

                | finding | verdict | each aspect: verdict, n, effect and its interval |
                |---|---|---|
                """);
        for (Element finding : report.select("div.finding")) {
            List<String> aspects = new ArrayList<>();
            for (Element part : finding.select("p.part")) {
                aspects.add(part.selectFirst("strong").text() + ": "
                        + part.selectFirst(".verdict").text() + "; "
                        + part.ownText().strip());
            }
            table.append("| ")
                    .append(finding.id().replace("finding-", ""))
                    .append(" | ")
                    .append(finding.selectFirst(".verdict").text())
                    .append(" | ")
                    .append(aspects.isEmpty() ? finding.selectFirst(".summary").text() : String.join("<br>", aspects))
                    .append(" |\n");
        }
        return table.toString();
    }

    private static String text(Element row, String cellClass) {
        return row.selectFirst("td." + cellClass).text();
    }

    /** The page with its generation time (the one thing that may differ) replaced by a placeholder. */
    private static String withoutTime(String html) {
        Matcher generated = GENERATED_AT.matcher(html);
        assertThat(generated.find()).as("the page states when it was generated").isTrue();
        return html.replace(generated.group(1), "GENERATED-AT");
    }
}
