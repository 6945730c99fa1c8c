package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.harness.train.CraftedCheckpoints;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A damaged results folder repairs itself: {@code lowbit run} over the files a crash, a full disk or a
 * careless edit leaves trains each run again from what is still usable, says what it repaired in one
 * line, keeps what it replaced, and ends with exactly the results of a run that was never disturbed.
 *
 * <p>The folders are crafted from two real short trainings: the reference grid (fp32 and ternary, 2
 * epochs) and the ternary run trained for 1 epoch. The quick suite's schedule is constant, so the
 * 1-epoch run's checkpoint is exactly the reference run's state after its first epoch.
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StoreRepairCliTest {

    // In this process (--workers 1), like the 1-epoch run it is compared with bit for bit: a run's last bits depend
    // on the engine's thread count, and workers would train with 1 thread each on 2 cores.
    private static final String[] GRID = {
        "run",
        "--suite",
        "quick",
        "--quantizer",
        "fp32,ternary",
        "--epochs",
        "2",
        "--train-limit",
        "1000",
        "--workers",
        "1"
    };

    @TempDir
    static Path dir;

    private final ObjectMapper json = new ObjectMapper();
    private Path reference;
    private String ternaryId;
    private String fp32Id;
    private Path afterOneEpoch;

    @BeforeAll
    void trainTheReferenceAndOneEpoch() throws Exception {
        reference = dir.resolve("reference");
        CliTest.Result grid = lowbit(args(reference));
        assertThat(grid.exitCode()).as(grid.err()).isZero();
        ternaryId = runId(reference, ".ternary.");
        fp32Id = runId(reference, ".fp32.");
        Path one = dir.resolve("one-epoch");
        CliTest.Result single = lowbit(
                "run",
                "--suite",
                "quick",
                "--quantizer",
                "ternary",
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--out",
                one.toString());
        assertThat(single.exitCode()).as(single.err()).isZero();
        Path oneRun = one.resolve("quick").resolve(runId(one, ".ternary."));
        afterOneEpoch = oneRun.resolve("checkpoint/state.bin");
        assertThat(metrics(oneRun))
                .as("epoch 1 trained alone is epoch 1 of the reference")
                .containsExactly(metrics(ternary(reference)).get(0));
    }

    @ParameterizedTest(name = "run.json holding [{0}]")
    @CsvSource(delimiter = '|', textBlock = """
            ''                               | No content to map due to end-of-input
            {"runId": "x", "status": "FI     | Unexpected end-of-input
            null                             | it holds null
            {}                               | it has no 'runId'
            {"runId": "x", "status": 42}     | it has no 'config'
            [1, 2]                           | it is not a JSON object
            """)
    void aFinishedRunWithADamagedRunJsonIsStoredAgainWhileTheOthersGoOn(String content, String damage)
            throws Exception {
        Path out = copyOfReference("run-json-" + Integer.toHexString(content.hashCode()));
        Path run = ternary(out);
        Files.writeString(run.resolve("run.json"), content);

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Trained 1, skipped 1 finished, 0 held by other workers, 0 diverged, 0 failed.");
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith(
                        "warning: " + ternaryId + " trains again: its '" + run.resolve("run.json") + "' is damaged (")
                .contains(damage)
                .containsPattern("kept as 'run\\.json\\.damaged-\\d{8}T\\d{6}Z'$");
        assertThat(result.err())
                .doesNotContain("\tat ")
                .contains(ternaryId + ": resumed after epoch 2 from its checkpoint");
        assertThat(Files.readString(onlyFile(run, "run.json.damaged-")))
                .as("nothing is lost")
                .isEqualTo(content);
        assertSameAsReference(out);
    }

    @Test
    void aRunKilledWhileAppendingAnEpochLineResumesOnAFreshLine() throws Exception {
        Path out = copyOfReference("mid-line");
        Path run = unfinished(ternary(out));
        Files.copy(afterOneEpoch, run.resolve("checkpoint/state.bin"));
        List<String> lines = Files.readAllLines(ternary(reference).resolve("epochs.jsonl"));
        // The crash cut epoch 2's line after 40 bytes; its checkpoint was never written.
        Files.writeString(
                run.resolve("epochs.jsonl"), lines.get(0) + "\n" + lines.get(1).substring(0, 40));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.err()).contains(ternaryId + ": resumed after epoch 1 from its checkpoint");
        assertThat(warnings(result))
                .containsExactly("warning: " + ternaryId + " resumes after epoch 1: epochs.jsonl:"
                        + " its last line is cut short, cut after epoch 1");
        assertSameAsReference(out);
    }

    @Test
    void aTruncatedCheckpointWithoutAnOlderOneRestartsTheRunFromScratch() throws Exception {
        Path out = copyOfReference("truncated");
        Path run = unfinished(ternary(out));
        byte[] checkpoint = Files.readAllBytes(afterOneEpoch);
        Files.write(run.resolve("checkpoint/state.bin"), Arrays.copyOf(checkpoint, checkpoint.length / 2));
        Files.writeString(
                run.resolve("epochs.jsonl"),
                Files.readAllLines(ternary(reference).resolve("epochs.jsonl")).get(0) + "\n");

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith("warning: " + ternaryId + " restarts from scratch: checkpoint/state.bin is damaged (its"
                        + " checksum does not match")
                .containsPattern("; kept as checkpoint/state\\.bin\\.damaged-\\d{8}T\\d{6}Z$");
        assertThat(result.err()).doesNotContain("resumed after");
        assertThat(Files.size(onlyFile(run.resolve("checkpoint"), "state.bin.damaged-")))
                .isEqualTo(checkpoint.length / 2);
        assertSameAsReference(out);
    }

    @Test
    void aTruncatedLatestCheckpointFallsBackToThePreviousOne() throws Exception {
        Path out = copyOfReference("previous");
        Path run = unfinished(ternary(out));
        byte[] latest = Files.readAllBytes(ternary(reference).resolve("checkpoint/state.bin"));
        Files.write(run.resolve("checkpoint/state.bin"), Arrays.copyOf(latest, latest.length - 1000));
        Files.copy(afterOneEpoch, run.resolve("checkpoint/previous.bin"));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith("warning: " + ternaryId + " resumes from checkpoint/previous.bin (after epoch 1):"
                        + " checkpoint/state.bin is damaged (its checksum does not match");
        assertThat(result.err()).contains(ternaryId + ": resumed after epoch 1 from its checkpoint");
        assertThat(run.resolve("checkpoint/previous.bin"))
                .as("dropped once the run finished")
                .doesNotExist();
        assertSameAsReference(out);
    }

    @Test
    void aCheckpointWhoseEpochLogIsGoneRestartsTheRunFromScratch() throws Exception {
        Path out = copyOfReference("no-log");
        Path run = unfinished(ternary(out));
        Files.copy(afterOneEpoch, run.resolve("checkpoint/state.bin"));
        Files.delete(run.resolve("epochs.jsonl"));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith("warning: " + ternaryId + " restarts from scratch: checkpoint/state.bin was taken after"
                        + " epoch 1 but epochs.jsonl is missing; kept as checkpoint/state.bin.damaged-");
        assertSameAsReference(out);
    }

    @Test
    void aGarbageLineInTheLogLeavesTheLatestCheckpointAheadOfItAndThePreviousOneIsUsed() throws Exception {
        Path out = copyOfReference("garbage");
        Path run = unfinished(ternary(out));
        Files.copy(ternary(reference).resolve("checkpoint/state.bin"), run.resolve("checkpoint/state.bin"));
        Files.copy(afterOneEpoch, run.resolve("checkpoint/previous.bin"));
        List<String> lines = Files.readAllLines(ternary(reference).resolve("epochs.jsonl"));
        Files.writeString(run.resolve("epochs.jsonl"), lines.get(0) + "\nnot an epoch\n" + lines.get(1) + "\n");

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith("warning: " + ternaryId + " resumes from checkpoint/previous.bin (after epoch 1):"
                        + " checkpoint/state.bin was taken after epoch 2 but epochs.jsonl holds 1 readable epoch;"
                        + " epochs.jsonl: line 2 is not an epoch record (")
                .contains("), cut after epoch 1; kept as")
                .containsPattern(
                        "; kept as checkpoint/state\\.bin\\.damaged-\\d{8}T\\d{6}Z, epochs\\.jsonl\\.damaged-");
        assertThat(Files.readString(onlyFile(run, "epochs.jsonl.damaged-"))).contains("not an epoch");
        assertSameAsReference(out);
    }

    @Test
    void aCheckpointBehindTheLogDropsTheLaterLinesSilently() throws Exception {
        // A crash between an epoch's line and its checkpoint: the ordinary case, no warning.
        Path out = copyOfReference("behind");
        Path run = unfinished(ternary(out));
        Files.copy(afterOneEpoch, run.resolve("checkpoint/state.bin"));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result)).isEmpty();
        assertThat(result.err()).contains(ternaryId + ": resumed after epoch 1 from its checkpoint");
        assertSameAsReference(out);
    }

    @Test
    void aCheckpointOfAnotherModelRestartsTheRunFromScratch() throws Exception {
        Path out = copyOfReference("other-model");
        Path run = unfinished(ternary(out));
        // Well-formed, after epoch 2 as the log says, but of a tiny linear layer: not the ternary model's parameters.
        Files.write(run.resolve("checkpoint/state.bin"), CraftedCheckpoints.tinyCheckpoint(dir, 2));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .startsWith("warning: " + ternaryId + " restarts from scratch: its checkpoint does not fit the model"
                        + " (the checkpoint has no parameter '")
                .contains("; kept as checkpoint/state.bin.damaged-");
        assertSameAsReference(out);
    }

    @Test
    void aCheckpointDeclaringTwoGigabytesIsDamagedNotAnAllocation() throws Exception {
        Path out = copyOfReference("huge-length");
        Path run = unfinished(ternary(out));
        Files.write(
                run.resolve("checkpoint/state.bin"),
                CraftedCheckpoints.withParameterLength(Files.readAllBytes(afterOneEpoch), Integer.MAX_VALUE - 8));
        Files.writeString(
                run.resolve("epochs.jsonl"),
                Files.readAllLines(ternary(reference).resolve("epochs.jsonl")).get(0) + "\n");

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(warnings(result))
                .singleElement()
                .asString()
                .containsPattern("restarts from scratch: checkpoint/state\\.bin is damaged \\(the file is truncated:"
                        + " parameter '[^']+' needs 2147483639 bytes but only \\d+ remain\\)");
        assertSameAsReference(out);
    }

    /**
     * The reader checks every declared length against the bytes really there before it allocates:
     * exporting a run whose checkpoint claims a 2 GB parameter, in a JVM with 256 MB of heap, is one
     * line and exit 2, with and without a matching checksum.
     */
    @Test
    void exportReadsACraftedCheckpointInA256MegabyteHeap() throws Exception {
        byte[] crafted =
                CraftedCheckpoints.withParameterLength(Files.readAllBytes(afterOneEpoch), Integer.MAX_VALUE - 8);
        for (byte[] checkpoint : List.of(crafted, CraftedCheckpoints.asVersion2(crafted))) {
            Path out = copyOfReference("export-" + checkpoint.length);
            Files.write(ternary(out).resolve("checkpoint/state.bin"), checkpoint);
            Path log = dir.resolve("export-" + checkpoint.length + ".log");

            Process child = ChildLowbit.startWith(
                    log,
                    List.of("-Xmx256m"),
                    "export",
                    ternaryId,
                    "--results",
                    out.toString(),
                    "-o",
                    out.resolve("model.lbw").toString());

            assertThat(child.waitFor(3, TimeUnit.MINUTES)).as("export ended").isTrue();
            String output = Files.readString(log);
            assertThat(child.exitValue()).as(output).isEqualTo(2);
            assertThat(output).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
            assertThat(output.lines().filter(line -> line.startsWith("lowbit: ")))
                    .singleElement()
                    .asString()
                    .containsPattern("^lowbit: Cannot read the checkpoint '.*state\\.bin': the file is truncated:"
                            + " parameter '[^']+' needs 2147483639 bytes but only \\d+ remain\\. Move '.*run\\.json'"
                            + " aside and run 'lowbit run' again to retrain the run\\.$");
            assertThat(out.resolve("model.lbw")).doesNotExist();
        }
    }

    /**
     * A full disk, made real with /dev/full: the ternary run's checkpoint write fails (ENOSPC), so the run
     * fails, and storing its FAILED record fails the same way. That is one line naming the file and the
     * cause; the fp32 run is still stored, and the exit code says a run failed.
     */
    @Test
    void aFullDiskWhileStoringAFailedRunIsOneLineAndTheOtherRunsGoOn() throws Exception {
        Path full = Path.of("/dev/full");
        assumeThat(Files.exists(full)).as("Linux's /dev/full").isTrue();
        Path out = copyOfReference("full-disk");
        Files.delete(out.resolve("quick").resolve(fp32Id).resolve("run.json"));
        Path run = ternary(out);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path file : files.sorted(Comparator.reverseOrder())
                    .filter(p -> !p.equals(run))
                    .toList()) {
                Files.delete(file);
            }
        }
        Files.createDirectories(run.resolve("checkpoint"));
        Files.createSymbolicLink(run.resolve("checkpoint/state.bin.tmp"), full);
        Files.createSymbolicLink(run.resolve("run.json.tmp"), full);

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(Main.FAILED);
        assertThat(result.out())
                .contains("Trained 1, skipped 0 finished, 0 held by other workers, 0 diverged, 1 failed.");
        assertThat(result.err()).doesNotContain("\tat ");
        assertThat(result.err().lines().filter(line -> line.startsWith("lowbit: ")))
                .containsExactly("lowbit: the FAILED result of " + ternaryId + " could not be stored: Cannot write '"
                        + run.resolve("run.json") + "': No space left on device");
        assertThat(result.err())
                .as("the progress line says why the run failed")
                .contains(ternaryId + ": FAILED, UncheckedIOException: Cannot write checkpoint "
                        + run.resolve("checkpoint/state.bin") + ": No space left on device");
        assertThat(run.resolve("run.json")).doesNotExist();
        assertThat(json.readTree(out.resolve("quick")
                                .resolve(fp32Id)
                                .resolve("run.json")
                                .toFile())
                        .get("status")
                        .asText())
                .isEqualTo("FINISHED");
    }

    @Test
    void aRunWhoseFolderCannotBeMadeFailsInOneLineAndTheOthersTrain() throws Exception {
        Path out = copyOfReference("run-folder-is-a-file");
        Path run = ternary(out);
        try (Stream<Path> files = Files.walk(run)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
        Files.writeString(run, "a file where the run's folder belongs");
        Files.delete(out.resolve("quick").resolve(fp32Id).resolve("run.json"));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isEqualTo(Main.FAILED);
        assertThat(result.out())
                .contains("Trained 1, skipped 0 finished, 0 held by other workers, 0 diverged, 1 failed.");
        assertThat(result.err()).doesNotContain("\tat ");
        assertThat(result.err().lines().filter(line -> line.startsWith("lowbit: ")))
                .singleElement()
                .asString()
                .startsWith("lowbit: " + ternaryId + " cannot train: Cannot lock '" + run.resolve("run.lock") + "'");
        assertThat(json.readTree(out.resolve("quick")
                                .resolve(fp32Id)
                                .resolve("run.json")
                                .toFile())
                        .get("status")
                        .asText())
                .isEqualTo("FINISHED");
        assertThat(Files.readString(run)).isEqualTo("a file where the run's folder belongs");
    }

    @Test
    void aReportThatCannotBeWrittenIsOneLineAfterTheRunsAreStored() throws Exception {
        Path out = copyOfReference("no-report");
        // A folder where the page goes: the write fails as on a full disk, after every run is stored.
        Files.createDirectories(out.resolve("quick/report/index.html/in-the-way"));

        CliTest.Result result = lowbit(args(out));

        assertThat(result.exitCode()).as(result.err()).isIn(Main.FAILED, Main.BAD_INPUT);
        assertThat(result.out()).contains("Trained 0, skipped 2 finished");
        assertThat(result.err()).doesNotContain("\tat ");
        assertThat(result.err().lines().filter(line -> line.startsWith("lowbit: ")))
                .singleElement()
                .asString()
                .contains("report")
                .contains(out.resolve("quick/report").toString());
    }

    @Test
    void modelAndExportFilesAreReadableLikeEveryOtherResultFile() throws Exception {
        assumeThat(FileSystems.getDefault().supportedFileAttributeViews()).contains("posix");
        Path run = ternary(reference);
        Set<PosixFilePermission> runJson = Files.getPosixFilePermissions(run.resolve("run.json"));
        assertThat(Files.getPosixFilePermissions(run.resolve("model.lbw"))).isEqualTo(runJson);
        assertThat(Files.getPosixFilePermissions(run.resolve("test-predictions.txt")))
                .isEqualTo(runJson);

        Path exported = dir.resolve("exported.lbw");
        CliTest.Result export =
                lowbit("export", ternaryId, "--results", reference.toString(), "-o", exported.toString());

        assertThat(export.exitCode()).as(export.err()).isZero();
        Path plain = Files.writeString(dir.resolve("plain.txt"), "created as any file is");
        assertThat(Files.getPosixFilePermissions(exported)).isEqualTo(Files.getPosixFilePermissions(plain));
    }

    private String[] args(Path out) {
        String[] all = Arrays.copyOf(GRID, GRID.length + 2);
        all[GRID.length] = "--out";
        all[GRID.length + 1] = out.toString();
        return all;
    }

    private static String runId(Path out, String part) throws IOException {
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            return runs.map(p -> p.getFileName().toString())
                    .filter(name -> name.contains(part))
                    .findFirst()
                    .orElseThrow();
        }
    }

    private Path ternary(Path out) {
        return out.resolve("quick").resolve(ternaryId);
    }

    /** A copy of the reference results, without the report and the lock files. */
    private Path copyOfReference(String name) throws IOException {
        Path out = dir.resolve(name);
        Path from = reference.resolve("quick");
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : files.toList()) {
                Path relative = from.relativize(file);
                if (relative.startsWith("report")
                        || file.getFileName().toString().equals("run.lock")) {
                    continue;
                }
                Path target = out.resolve("quick").resolve(relative.toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(file, target);
                }
            }
        }
        return out;
    }

    /** Turns a finished run back into one a crash interrupted: no result, no model, no checkpoint yet. */
    private static Path unfinished(Path run) throws IOException {
        for (String file : List.of("run.json", "model.lbw", "test-predictions.txt", "checkpoint/state.bin")) {
            Files.deleteIfExists(run.resolve(file));
        }
        return run;
    }

    /** The one file in {@code directory} whose name starts with {@code prefix}. */
    private static Path onlyFile(Path directory, String prefix) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            List<Path> found = files.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .toList();
            assertThat(found).as("files named " + prefix + "* in " + directory).hasSize(1);
            return found.get(0);
        }
    }

    /** The lines lowbit run wrote about repairs. */
    private static List<String> warnings(CliTest.Result result) {
        return result.err().lines().filter(line -> line.startsWith("warning: ")).toList();
    }

    /** The ternary run ends with the reference's test metrics and epoch lines, every line readable. */
    private void assertSameAsReference(Path out) throws Exception {
        Path run = ternary(out);
        JsonNode stored = json.readTree(run.resolve("run.json").toFile());
        JsonNode expected = json.readTree(ternary(reference).resolve("run.json").toFile());
        assertThat(stored.get("status").asText()).isEqualTo("FINISHED");
        assertThat(stored.get("testAccuracy")).isEqualTo(expected.get("testAccuracy"));
        assertThat(stored.get("testLoss")).isEqualTo(expected.get("testLoss"));
        assertThat(stored.get("epochsCompleted").asInt()).isEqualTo(2);
        assertThat(metrics(run)).isEqualTo(metrics(ternary(reference)));
        assertThat(run.resolve("checkpoint/previous.bin")).doesNotExist();
    }

    /** Every epoch line's metrics without its wall-clock time; fails on a line that is not JSON. */
    private List<JsonNode> metrics(Path run) throws Exception {
        List<JsonNode> epochs = new ArrayList<>();
        for (String line : Files.readAllLines(run.resolve("epochs.jsonl"))) {
            ObjectNode epoch = (ObjectNode) json.readTree(line);
            epoch.remove("seconds");
            epochs.add(epoch);
        }
        return epochs;
    }
}
