package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.cli.ChildLowbit;
import dev.lowbit.harness.cli.CliTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report over a study caught mid-flight: a run that really diverged, a run that never reached
 * parity, and a run that is still training in another process while the report is written.
 */
@Tag("training")
class ReportMarksTest {

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    @Test
    void divergedCensoredAndInProgressRunsAreEachMarked() throws Exception {
        Path suite = Files.writeString(dir.resolve("marks.yaml"), """
                name: marks
                dataset: fashion-mnist
                architectures: [fcnn-small]
                # Binary weights at the absmax scale are so coarse that they stay far below fp32: censored parity.
                quantizers: [fp32, ternary, binary@absmax/tensor]
                recipes:
                  steady: {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 2}
                  exploding: {extends: steady, learningRate: 1.0e30}
                seeds: [1]
                trainLimit: 1500
                """);
        Path results = dir.resolve("results");
        CliTest.Result run = lowbit("run", "--suite", suite.toString(), "--out", results.toString());
        assertThat(run.exitCode()).as(run.out() + run.err()).isZero();

        // A real run in progress: a second process training into the same results, caught after its first epoch.
        Path log = dir.resolve("child.log");
        // One process (--workers 1) trains the steady run first: workers would train the exploding one beside it,
        // and it diverges within seconds.
        Process child = ChildLowbit.start(
                log,
                "run",
                "--suite",
                suite.toString(),
                "--arch",
                "fcnn-large",
                "--quantizer",
                "quinary",
                "--epochs",
                "50",
                "--out",
                results.toString(),
                "--workers",
                "1");
        Path report = dir.resolve("report").resolve("index.html");
        try {
            Path epochs = waitForFirstEpoch(results.resolve("marks"), child, log);
            CliTest.Result written = lowbit("report", results.toString(), "-o", report.toString());
            assertThat(written.exitCode()).as(written.err()).isZero();
            assertThat(epochs.getParent().resolve("run.json")).doesNotExist();
        } finally {
            child.destroyForcibly().waitFor();
        }
        Document page = Jsoup.parse(Files.readString(report));

        List<JsonNode> stored = storedRuns(results.resolve("marks"));
        List<String> diverged = new ArrayList<>();
        for (JsonNode record : stored) {
            String id = record.get("runId").asText();
            Element row = page.selectFirst("table#runs tr[data-run-id=" + id + "]");
            assertThat(row).as(id).isNotNull();
            if (record.get("status").asText().equals("DIVERGED")) {
                diverged.add(id);
                assertThat(row.hasClass("diverged")).isTrue();
                assertThat(row.selectFirst("td.status").text())
                        .isEqualTo("DIVERGED in epoch "
                                + record.get("divergedEpoch").asInt());
                assertThat(row.selectFirst("td.test-accuracy").text()).isEqualTo("—");
                assertThat(page.getElementById("run-" + id)
                                .selectFirst("summary")
                                .text())
                        .contains("diverged in epoch "
                                + record.get("divergedEpoch").asInt());
            }
        }
        assertThat(diverged).as("the exploding recipe diverges").isNotEmpty();
        assertThat(page.select("table#groups tr.group.diverged td.diverged").eachText())
                .contains("1 of 1");

        JsonNode binary = stored.stream()
                .filter(r -> r.get("config").get("quantizer").asText().equals("binary@absmax/tensor"))
                .filter(r -> r.get("config").get("recipe").get("name").asText().equals("steady"))
                .findFirst()
                .orElseThrow();
        assertThat(binary.get("parity").get("epoch").isNull())
                .as("binary@absmax never reaches fp32")
                .isTrue();
        Element parity = page.selectFirst(
                "table#runs tr[data-run-id=" + binary.get("runId").asText() + "] td.parity");
        assertThat(parity.text()).isEqualTo("> 2");
        assertThat(parity.hasClass("censored")).isTrue();

        Element unfinished = page.selectFirst("#in-progress tr.in-progress");
        assertThat(unfinished).isNotNull();
        assertThat(unfinished.text()).contains("fcnn-large / quinary", " of 50");
        assertThat(page.select("table#runs tr[data-run-id^=fcnn-large]")).isEmpty();
    }

    private Path waitForFirstEpoch(Path suiteDir, Process child, Path log) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            if (Files.isDirectory(suiteDir)) {
                try (Stream<Path> runs = Files.list(suiteDir)) {
                    for (Path run : runs.filter(p -> p.getFileName().toString().startsWith("fcnn-large"))
                            .toList()) {
                        Path epochs = run.resolve("epochs.jsonl");
                        if (Files.exists(epochs) && !Files.readString(epochs).isBlank()) {
                            return epochs;
                        }
                    }
                }
            }
            if (!child.isAlive()) {
                throw new AssertionError("the training child ended early: " + Files.readString(log));
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no epoch within 5 minutes: " + Files.readString(log));
    }

    private List<JsonNode> storedRuns(Path suiteDir) throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        try (Stream<Path> dirs = Files.list(suiteDir)) {
            for (Path run :
                    dirs.filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                runs.add(json.readTree(run.resolve("run.json").toFile()));
            }
        }
        return runs;
    }
}
