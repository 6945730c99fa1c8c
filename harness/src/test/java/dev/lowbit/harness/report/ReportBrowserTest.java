package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.harness.cli.CliTest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Rectangle;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.chromium.ChromiumNetworkConditions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The report of real stored runs ({@link RealResults}) opened from disk in Debian's headless
 * chromium, driven by Selenium, with the network switched off: it loads without console errors,
 * every chart is drawn with a size, each fp32 level of accuracy against bits lies inside its plot, the
 * runs table holds exactly the stored runs with their test accuracy, nothing refers to the outside.
 * Leaves {@code target/browser/report.png} (the whole page), {@code console.log} and
 * {@code chromedriver.log} beside it.
 *
 * <p>Browser and driver come from {@code apt-get install chromium chromium-driver} (as {@code .ci/run}
 * does); Selenium is pointed at both, so it never looks for or downloads a browser or driver.
 */
@Tag("training")
class ReportBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    /** Logged to the console by the test itself, to prove the console is really being read. */
    private static final String PROBE = "lowbit-browser-test-probe";

    private static final Path ARTIFACTS = Path.of("target", "browser").toAbsolutePath();

    /**
     * Quiet: "Unable to find CDP implementation matching N". The test uses no Selenium DevTools
     * artifact (DevTools commands go through chromedriver), so Selenium never matches the browser's
     * version. Held in a field: java.util.logging keeps loggers only weakly.
     */
    private static final Logger CDP_VERSION_FINDER = Logger.getLogger("org.openqa.selenium.devtools.CdpVersionFinder");

    private static Path results;
    private static Path report;
    private static ChromeDriver browser;
    private static List<LogEntry> console;

    @BeforeAll
    static void openTheReportOfflineInChromium() throws Exception {
        CDP_VERSION_FINDER.setLevel(Level.SEVERE);
        assertThat(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER))
                .as(
                        "the browser test needs %s and %s: apt-get install chromium chromium-driver (.ci/run installs"
                                + " them)",
                        CHROMIUM, CHROMEDRIVER)
                .isTrue();
        results = RealResults.directory();
        report = Path.of("target", "browser-report", "index.html").toAbsolutePath();
        CliTest.Result rendered = lowbit("report", results.toString(), "-o", report.toString());
        assertThat(rendered.exitCode()).as(rendered.err()).isZero();
        Files.createDirectories(ARTIFACTS);

        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(ARTIFACTS.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox",
                "--disable-dev-shm-usage",
                "--disable-gpu",
                "--window-size=1400,900",
                "--hide-scrollbars",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-extensions",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-default-apps",
                // No host name resolves inside this browser: a reference to the outside cannot load even
                // if the emulated offline mode below let it through.
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost");
        LoggingPreferences logging = new LoggingPreferences();
        logging.enable(LogType.BROWSER, Level.ALL);
        options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
        browser = new ChromeDriver(service, options);

        // Offline before the page is opened, the way DevTools' "Offline" throttling does it.
        browser.setNetworkConditions(new ChromiumNetworkConditions().setOffline(true));
        browser.get(report.toUri().toString());

        browser.executeScript("console.error(arguments[0])", PROBE);
        console = browser.manage().logs().get(LogType.BROWSER).getAll();
        Files.write(
                ARTIFACTS.resolve("console.log"),
                console.stream().map(LogEntry::toString).toList());
        saveFullPageScreenshot(ARTIFACTS.resolve("report.png"));
    }

    @AfterAll
    static void closeTheBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void thePageLoadsFromDiskWithTheNetworkOff() {
        assertThat(browser.getCurrentUrl()).isEqualTo(report.toUri().toString());
        assertThat(browser.getNetworkConditions().getOffline()).isTrue();
        assertThat((Boolean) browser.executeScript("return navigator.onLine"))
                .as("navigator.onLine")
                .isFalse();
        assertThat((String) browser.executeScript("return document.readyState")).isEqualTo("complete");
        assertThat(browser.findElement(By.tagName("h1")).getText()).isNotBlank();
    }

    @Test
    void theConsoleHasNoErrors() {
        assertThat(console)
                .as("the console is read: the test's own probe error is in it")
                .anyMatch(entry -> entry.getMessage().contains(PROBE));
        List<String> errors = console.stream()
                .filter(entry -> entry.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                .filter(message -> !message.contains(PROBE))
                .toList();
        assertThat(errors).as("SEVERE console entries of %s", report).isEmpty();
    }

    @Test
    void everyChartIsDrawnWithANonZeroSize() {
        // The per-run sections are collapsed <details>; a reader opens them, and so does this test.
        browser.executeScript("document.querySelectorAll('details').forEach(d => d.open = true)");
        List<WebElement> charts = browser.findElements(By.cssSelector("figure svg"));
        assertThat(charts).as("charts (figure svg)").isNotEmpty();
        for (int i = 0; i < charts.size(); i++) {
            WebElement chart = charts.get(i);
            String name = "chart " + (i + 1) + " of " + charts.size() + " (figure#"
                    + browser.executeScript("return arguments[0].closest('figure').id", chart) + ")";
            Rectangle box = chart.getRect();
            assertThat(box.getWidth()).as("%s rendered width", name).isPositive();
            assertThat(box.getHeight()).as("%s rendered height", name).isPositive();
            assertThat(chart.isDisplayed()).as("%s displayed", name).isTrue();
            Long shapes = (Long) browser.executeScript(
                    "return arguments[0].querySelectorAll('path, line, polyline, polygon, rect, circle, text').length",
                    chart);
            assertThat(shapes).as("%s has something drawn in it", name).isPositive();
        }
    }

    @Test
    void theTableHasOneRowPerStoredRunWithItsTestAccuracy() throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<String, String> expected = new TreeMap<>();
        for (Path file : RealResults.runFiles(results)) {
            JsonNode run = json.readTree(file.toFile());
            expected.put(
                    run.get("runId").asText(), percent(run.get("testAccuracy").asDouble()));
        }
        assertThat(expected).hasSize(RealResults.RUNS);

        List<WebElement> rows = browser.findElements(By.cssSelector("table#runs tbody tr[data-run-id]"));
        Map<String, String> shown = new TreeMap<>();
        for (WebElement row : rows) {
            shown.put(
                    row.getDomAttribute("data-run-id"),
                    row.findElement(By.cssSelector("td.test-accuracy")).getText());
        }
        assertThat(rows).as("one row per run.json").hasSize(expected.size());
        assertThat(shown.keySet()).as("run ids in the table").containsExactlyElementsOf(expected.keySet());
        assertThat(shown).as("test accuracy per run id").isEqualTo(expected);
    }

    @Test
    void nothingRefersToTheOutside() {
        @SuppressWarnings("unchecked")
        List<String> references = (List<String>) browser.executeScript("""
                const outside = /^\\s*(https?:|\\/\\/)/i;
                const found = [];
                for (const element of document.querySelectorAll('*')) {
                  for (const attribute of element.attributes) {
                    const name = attribute.name.toLowerCase();
                    if ((name === 'src' || name === 'href' || name.endsWith(':href') || name === 'srcset'
                        || name === 'action' || name === 'poster' || name === 'data') && outside.test(attribute.value)) {
                      found.push('<' + element.tagName.toLowerCase() + ' ' + attribute.name + '="' + attribute.value + '">');
                    }
                  }
                }
                for (const sheet of document.querySelectorAll('style, [style]')) {
                  const css = sheet.tagName === 'STYLE' ? sheet.textContent : sheet.getAttribute('style');
                  for (const match of css.matchAll(/(url\\(\\s*['"]?|@import\\s+['"]?)(https?:|\\/\\/)[^'")\\s;]*/gi)) {
                    found.push('css ' + match[0]);
                  }
                }
                return found;""");
        assertThat(references).as("references to external resources").isEmpty();
        @SuppressWarnings("unchecked")
        List<String> loaded = (List<String>)
                browser.executeScript("return performance.getEntriesByType('resource').map(entry => entry.name)");
        assertThat(loaded).as("resources the page loaded").allMatch(url -> url.startsWith("file:"));
    }

    @Test
    void aScreenshotOfTheWholePageIsSaved() throws Exception {
        Path png = ARTIFACTS.resolve("report.png");
        BufferedImage image = ImageIO.read(png.toFile());
        assertThat(image).as(png.toString()).isNotNull();
        long pageHeight = (Long) browser.executeScript("return document.documentElement.scrollHeight");
        assertThat(image.getWidth()).isPositive();
        assertThat((long) image.getHeight())
                .as("the whole page, not only the 900 px window")
                .isCloseTo(pageHeight, within(2L));
    }

    /**
     * In every accuracy-against-bits chart each fp32 twin is a dashed level across the plot, inside it and
     * not on its edge, with its label "fp32 &lt;architecture&gt;" inside the plot just above it. JFreeChart's
     * auto range used to leave the levels out, so a twin above (or below) every low-bit point was not drawn
     * at all. The real runs may or may not place a twin there, and their interval bars stretch the axis;
     * so the same check runs on a copy of their seed 1 (one seed: no bars) in which every fp32 twin is
     * 10 pp above the best low-bit run, opened in a second tab.
     */
    @Test
    void everyFp32LevelOfAccuracyAgainstBitsIsDrawnInsideThePlot(@TempDir Path dir) throws Exception {
        assertFp32LevelsInsideThePlot("the real runs", fp32Labels(results));

        Path above = fp32AboveEveryLowBitRun(dir.resolve("results"));
        Path aboveReport = dir.resolve("report").resolve("index.html");
        CliTest.Result rendered = lowbit("report", above.toString(), "-o", aboveReport.toString());
        assertThat(rendered.exitCode()).as(rendered.err()).isZero();
        String reportTab = browser.getWindowHandle();
        browser.switchTo().newWindow(WindowType.TAB);
        try {
            browser.get(aboveReport.toUri().toString());
            assertFp32LevelsInsideThePlot("fp32 10 pp above every low-bit run", fp32Labels(above));
        } finally {
            browser.close();
            browser.switchTo().window(reportTab);
        }
    }

    /** The marker labels the accuracy-against-bits chart of {@code results} draws: one per architecture with fp32. */
    private static List<String> fp32Labels(Path results) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Set<String> labels = new TreeSet<>();
        for (Path file : RealResults.runFiles(results)) {
            JsonNode config = json.readTree(file.toFile()).get("config");
            if (config.get("quantizer").asText().equals("fp32")) {
                labels.add("fp32 " + config.get("architecture").asText());
            }
        }
        assertThat(labels).as("fp32 twins in %s", results).isNotEmpty();
        return List.copyOf(labels);
    }

    /**
     * The real runs of seed 1 (run.json and epochs.jsonl, all the report reads) under {@code copy}, each
     * fp32 twin's test accuracy set 10 pp above the best low-bit run's.
     */
    private static Path fp32AboveEveryLowBitRun(Path copy) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Map<Path, ObjectNode> seedOne = new TreeMap<>();
        for (Path file : RealResults.runFiles(results)) {
            ObjectNode run = (ObjectNode) json.readTree(file.toFile());
            if (run.get("config").get("seed").asLong() == 1) {
                seedOne.put(file, run);
            }
        }
        double bestLowBit = seedOne.values().stream()
                .filter(run -> !isFp32(run))
                .mapToDouble(run -> run.get("testAccuracy").asDouble())
                .max()
                .orElseThrow();
        for (Map.Entry<Path, ObjectNode> run : seedOne.entrySet()) {
            if (isFp32(run.getValue())) {
                run.getValue().put("testAccuracy", Math.min(1.0, bestLowBit + 0.10));
            }
            Path folder = Files.createDirectories(
                    copy.resolve(results.relativize(run.getKey().getParent())));
            json.writeValue(folder.resolve("run.json").toFile(), run.getValue());
            Files.copy(run.getKey().resolveSibling("epochs.jsonl"), folder.resolve("epochs.jsonl"));
        }
        return copy;
    }

    private static boolean isFp32(JsonNode run) {
        return run.get("config").get("quantizer").asText().equals("fp32");
    }

    /**
     * Checks the open page's accuracy-against-bits charts through the browser's own layout: the plot is
     * the unfilled rect JFreeChart outlines its data area with, an fp32 level a dashed line wider than
     * the 0.5 px dashed grid lines.
     */
    private static void assertFp32LevelsInsideThePlot(String page, List<String> labels) {
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> charts = (List<Map<String, Object>>) browser.executeScript("""
                const box = element => {
                  const r = element.getBoundingClientRect();
                  return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, text: element.textContent};
                };
                return [...document.querySelectorAll('figure#accuracy-vs-bits svg')].map(svg => ({
                  plots: [...svg.querySelectorAll('rect')].filter(r => r.style.fill === 'none').map(box),
                  levels: [...svg.querySelectorAll('line')]
                      .filter(l => l.style.strokeDasharray && parseFloat(l.style.strokeWidth) > 1).map(box),
                  labels: [...svg.querySelectorAll('text')].filter(t => t.textContent.startsWith('fp32 ')).map(box)
                }));""");
        assertThat(charts).as("accuracy-vs-bits charts of %s", page).isNotEmpty();
        for (Map<String, Object> chart : charts) {
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> plots = (List<Map<String, Object>>) chart.get("plots");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> levels = (List<Map<String, Object>>) chart.get("levels");
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> shown = (List<Map<String, Object>>) chart.get("labels");
            assertThat(plots).as("%s: the plot's outline", page).hasSize(1);
            Map<String, Object> plot = plots.get(0);
            assertThat(shown)
                    .as("%s: fp32 labels", page)
                    .extracting(label -> label.get("text"))
                    .containsExactlyInAnyOrderElementsOf(labels);
            assertThat(levels).as("%s: dashed fp32 lines, one per label", page).hasSameSizeAs(labels);
            for (Map<String, Object> level : levels) {
                String line = page + ": fp32 line at y " + at(level, "top") + " in the plot from " + at(plot, "top")
                        + " to " + at(plot, "bottom");
                assertThat(at(level, "left")).as("%s, left end", line).isCloseTo(at(plot, "left"), within(1.0));
                assertThat(at(level, "right")).as("%s, right end", line).isCloseTo(at(plot, "right"), within(1.0));
                assertThat(at(level, "top"))
                        .as(line)
                        .isGreaterThan(at(plot, "top") + 1)
                        .isLessThan(at(plot, "bottom") - 1);
            }
            for (Map<String, Object> label : shown) {
                String name = page + ": label '" + label.get("text") + "'";
                assertThat(at(label, "top")).as("%s top", name).isGreaterThanOrEqualTo(at(plot, "top"));
                assertThat(at(label, "bottom")).as("%s bottom", name).isLessThanOrEqualTo(at(plot, "bottom"));
                assertThat(at(label, "left")).as("%s left", name).isGreaterThanOrEqualTo(at(plot, "left"));
                assertThat(at(label, "right")).as("%s right", name).isLessThanOrEqualTo(at(plot, "right"));
                double height = at(label, "bottom") - at(label, "top");
                assertThat(levels).as("%s just above its line", name).anyMatch(level -> {
                    double gap = at(level, "top") - at(label, "bottom");
                    return gap >= -1 && gap <= height;
                });
            }
        }
    }

    private static double at(Map<String, Object> box, String side) {
        return ((Number) box.get(side)).doubleValue();
    }

    /** The report's own format: 0.8612 reads {@code 86.12%}. */
    private static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.2f%%", 100 * fraction);
    }

    /** The whole page, beyond the window, through Chrome's own capture (DevTools protocol via chromedriver). */
    private static void saveFullPageScreenshot(Path png) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> size = (Map<String, Object>)
                browser.executeCdpCommand("Page.getLayoutMetrics", Map.of()).get("cssContentSize");
        double width = ((Number) size.get("width")).doubleValue();
        double height = ((Number) size.get("height")).doubleValue();
        Map<String, Object> shot = browser.executeCdpCommand(
                "Page.captureScreenshot",
                Map.of(
                        "format",
                        "png",
                        "captureBeyondViewport",
                        true,
                        "clip",
                        Map.of("x", 0, "y", 0, "width", width, "height", height, "scale", 1)));
        Files.write(png, Base64.getDecoder().decode((String) shot.get("data")));
    }
}
