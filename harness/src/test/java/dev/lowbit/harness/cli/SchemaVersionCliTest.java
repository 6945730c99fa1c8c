package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run.json of a newer lowbit stops run and export with one line (exit 2) and leaves the file as it is;
 * plan shows it as such.
 */
class SchemaVersionCliTest {

    private static final String NEWER =
            "{\"schemaVersion\": 7, \"runId\": \"%s\", \"status\": \"FINISHED\"," + " \"aFieldOfTheFuture\": true}";

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    /** The first run of the plan below, its run.json written by a "newer lowbit". */
    private Path newerRun(String... plan) throws Exception {
        CliTest.Result planned = lowbit(plan);
        assertThat(planned.exitCode()).as(planned.err()).isZero();
        String runId =
                json.readTree(planned.out()).get("runs").get(0).get("runId").asText();
        Path runFile =
                Files.createDirectories(dir.resolve("quick").resolve(runId)).resolve("run.json");
        Files.writeString(runFile, NEWER.formatted(runId));
        return runFile;
    }

    private static String message(Path runFile) {
        return "lowbit: '" + runFile + "' has schema version 7, newer than this lowbit knows (it reads up to schema"
                + " version 1): upgrade lowbit to read it." + System.lineSeparator();
    }

    @Test
    void runAndExportStopAtANewerRunJsonAndPlanSaysWhoseItIs() throws Exception {
        String[] suite = {
            "--suite",
            "quick",
            "--arch",
            "fcnn-small",
            "--quantizer",
            "fp32",
            "--epochs",
            "1",
            "--train-limit",
            "500",
            "--out",
            dir.toString()
        };
        Path runFile = newerRun(concat(new String[] {"plan", "--format", "json"}, suite));
        String stored = Files.readString(runFile);

        CliTest.Result run = lowbit(concat(new String[] {"run", "--workers", "1"}, suite));
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err().lines().filter(line -> line.startsWith("lowbit: ")))
                .containsExactly(message(runFile).strip());
        assertThat(Files.readString(runFile))
                .as("neither set aside nor replaced")
                .isEqualTo(stored);
        try (var files = Files.list(runFile.getParent())) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .doesNotContain("epochs.jsonl")
                    .noneMatch(name -> name.contains("damaged"));
        }

        CliTest.Result export = lowbit(
                "export",
                runFile.getParent().getFileName().toString(),
                "--results",
                dir.toString(),
                "-o",
                dir.resolve("model.lbw").toString());
        assertThat(export.exitCode()).isEqualTo(2);
        assertThat(export.err()).isEqualTo(message(runFile));

        CliTest.Result plan = lowbit(concat(new String[] {"plan", "--format", "json"}, suite));
        assertThat(json.readTree(plan.out()).get("runs").get(0).get("status").asText())
                .isEqualTo("newer lowbit's run.json");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
