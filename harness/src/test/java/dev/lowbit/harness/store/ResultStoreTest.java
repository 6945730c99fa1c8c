package dev.lowbit.harness.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.harness.train.Checkpoint;
import dev.lowbit.harness.train.CraftedCheckpoints;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ResultStoreTest {

    @TempDir
    Path root;

    private static final Recipe RECIPE = new Recipe("base", "adam", 0.001, "constant", 128, 3, 0, "none");
    private static final RunConfig CONFIG =
            new RunConfig("quick", "fashion-mnist", "fcnn-small", "ternary", "all", "none", RECIPE, 0, 0.1, 1);

    @Test
    void runIdsAreStableReadableAndDifferPerConfig() {
        String id = RunIds.of(CONFIG);
        assertThat(id).matches("fcnn-small\\.ternary\\.s1\\.[0-9a-f]{8}");
        assertThat(RunIds.of(CONFIG)).isEqualTo(id);
        assertThat(RunIds.of(CONFIG.withQuantizer("fp32")))
                .startsWith("fcnn-small.fp32.s1.")
                .isNotEqualTo(id);
        assertThat(RunIds.of(new RunConfig(
                        "quick",
                        "fashion-mnist",
                        "fcnn-small",
                        "ternary",
                        "all",
                        "none",
                        RECIPE.withEpochs(4),
                        0,
                        0.1,
                        1)))
                .isNotEqualTo(id);
    }

    @Test
    void appendsOneLinePerEpochAndWritesRunJsonLast() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        store.startRun("quick", id);
        store.appendEpoch("quick", id, new EpochRecord(1, 0.9, 0.7, 0.6, 0.8, 1.5));
        store.appendEpoch("quick", id, new EpochRecord(2, 0.5, 0.8, 0.5, 0.82, 1.4));
        assertThat(store.readRun("quick", id)).isEmpty();

        RunRecord record = new RunRecord(
                id,
                RunStatus.FINISHED,
                null,
                CONFIG,
                new QuantizerRecord("ternary", 3, List.of(-1.0, 0.0, 1.0), true, 1.58, "absmean/tensor"),
                new MemoryRecord(10, 8, 1, 40, 6.6),
                new ModelRecord(List.of(1L, 28L, 28L), 10, 0.28f, 0.35f),
                2,
                null,
                null,
                0.82,
                0.81,
                0.5,
                "a",
                "b",
                Map.of("java.version", "17"));
        Path written = store.finishRun(record);

        assertThat(written).isEqualTo(root.resolve("quick").resolve(id).resolve("run.json"));
        assertThat(Files.readAllLines(root.resolve("quick").resolve(id).resolve("epochs.jsonl")))
                .containsExactly(
                        "{\"epoch\":1,\"trainLoss\":0.9,\"trainAccuracy\":0.7,\"validationLoss\":0.6,\"validationAccuracy\":0.8,"
                                + "\"seconds\":1.5,\"learningRate\":null,\"flipRatio\":null,\"beyondOutermostShare\":null,"
                                + "\"lossSpikes\":null,\"levelOccupancy\":{}}",
                        "{\"epoch\":2,\"trainLoss\":0.5,\"trainAccuracy\":0.8,\"validationLoss\":0.5,\"validationAccuracy\":0.82,"
                                + "\"seconds\":1.4,\"learningRate\":null,\"flipRatio\":null,\"beyondOutermostShare\":null,"
                                + "\"lossSpikes\":null,\"levelOccupancy\":{}}");
        assertThat(store.readRun("quick", id)).contains(record);
        try (var files = Files.list(root.resolve("quick").resolve(id))) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("run.json", "epochs.jsonl");
        }
    }

    @Test
    void restartingARunDiscardsEpochsOfTheInterruptedAttempt() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        store.startRun("quick", id);
        store.appendEpoch("quick", id, new EpochRecord(1, 0.9, 0.7, 0.6, 0.8, 1.5));
        store.startRun("quick", id);
        assertThat(root.resolve("quick").resolve(id).resolve("epochs.jsonl")).doesNotExist();
    }

    @Test
    void writesTheConfigWhenARunStartsAndNeverReplacesIt() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        Path directory = root.resolve("quick").resolve(id);
        store.startRun("quick", id);

        Path written = store.writeConfig(CONFIG, id);

        assertThat(written).isEqualTo(directory.resolve("config.json"));
        assertThat(store.readConfig("quick", id)).contains(CONFIG);
        assertThat(store.readRun("quick", id))
                .as("in progress: a config, no run.json")
                .isEmpty();
        assertThat(directory.resolve("config.json.tmp")).doesNotExist();

        // A restart from scratch keeps it, and writing it again leaves what is there alone.
        store.startRun("quick", id);
        Files.writeString(written, Files.readString(written) + "\n");
        String stored = Files.readString(written);
        store.writeConfig(CONFIG, id);
        assertThat(Files.readString(written)).isEqualTo(stored);
        assertThat(store.readConfig("quick", id)).contains(CONFIG);
        assertThat(store.readConfig("quick", "no-such-run")).isEmpty();
    }

    /**
     * Every combination of a checkpoint (ok, ahead of or behind the log, damaged, missing, beyond the
     * run, and the previous one) with a log (missing, whole, cut short, with a garbage line, out of
     * order, not a file): where the run continues, what the log holds afterwards (exactly the epochs
     * the checkpoint covers, whole lines), and the one warning line, if any.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("damage")
    void aResumedRunContinuesFromTheNewestCheckpointItsLogCovers(
            String name, String latest, String previous, String log, int resumesAfter, String warning)
            throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        Path run = root.resolve("quick").resolve(id);
        Files.createDirectories(run.resolve("checkpoint"));
        writeCheckpoint(run.resolve("checkpoint/state.bin"), latest);
        writeCheckpoint(run.resolve("checkpoint/previous.bin"), previous);
        String[] lines = {epochLine(1), epochLine(2)};
        Path epochs = run.resolve("epochs.jsonl");
        switch (log) {
            case "none" -> {}
            case "L1" -> Files.writeString(epochs, lines[0] + "\n");
            case "L1 L2" -> Files.writeString(epochs, lines[0] + "\n" + lines[1] + "\n");
            case "L1 cut" -> Files.writeString(epochs, lines[0] + "\n" + lines[1].substring(0, 30));
            case "cut" -> Files.writeString(epochs, lines[0].substring(0, 30));
            case "L1 garbage L2" ->
                Files.writeString(
                        epochs, lines[0] + "\n{\"epoch\":2,\"trainLoss\":0.59{\"epoch\":2}\n" + lines[1] + "\n");
            case "L2 L1" -> Files.writeString(epochs, lines[1] + "\n" + lines[0] + "\n");
            case "folder" -> Files.createDirectories(epochs.resolve("inside"));
            default -> throw new AssertionError(log);
        }
        List<String> warnings = new ArrayList<>();

        Checkpoint.Restored restored = store.prepareResume("quick", id, 2, warnings::add);

        assertThat(restored == null ? 0 : restored.epoch()).isEqualTo(resumesAfter);
        if (warning.isEmpty()) {
            assertThat(warnings).isEmpty();
        } else {
            assertThat(warnings)
                    .singleElement()
                    .asString()
                    .startsWith("warning: " + id + " ")
                    .matches(warning);
        }
        if (resumesAfter == 0) {
            assertThat(epochs).as("a run from scratch starts a new log").doesNotExist();
            assertThat(run.resolve("checkpoint/state.bin")).doesNotExist();
        } else {
            assertThat(Files.readString(epochs))
                    .isEqualTo(String.join("\n", List.of(lines).subList(0, resumesAfter)) + "\n");
            assertThat(Checkpoint.read(run.resolve("checkpoint/state.bin")).epoch())
                    .isEqualTo(resumesAfter);
            assertThat(store.epochLog("quick", id).read())
                    .extracting(EpochRecord::epoch)
                    .containsExactly(java.util.stream.IntStream.rangeClosed(1, resumesAfter)
                            .boxed()
                            .toArray(Integer[]::new));
        }
    }

    static Stream<Arguments> damage() {
        String damaged = ".*checkpoint/state\\.bin is damaged \\(its checksum does not match.*";
        return Stream.of(
                Arguments.of("whole checkpoint and log", "C2", "none", "L1 L2", 2, ""),
                Arguments.of("checkpoint behind the log: the later line goes", "C1", "none", "L1 L2", 1, ""),
                Arguments.of("first run, nothing stored", "none", "none", "none", 0, ""),
                Arguments.of("killed during the first line", "none", "none", "cut", 0, ""),
                Arguments.of(
                        "cut-short last line",
                        "C1",
                        "none",
                        "L1 cut",
                        1,
                        ".* resumes after epoch 1: epochs\\.jsonl: its last line is cut short, cut after epoch 1"),
                Arguments.of(
                        "cut-short line and the checkpoint of the epoch before",
                        "C1",
                        "C1",
                        "L1 cut",
                        1,
                        ".* resumes after epoch 1: epochs\\.jsonl: its last line is cut short, cut after epoch 1"),
                Arguments.of(
                        "checkpoint ahead of the log, no previous",
                        "C2",
                        "none",
                        "L1",
                        0,
                        ".* restarts from scratch: checkpoint/state\\.bin was taken after epoch 2 but epochs\\.jsonl"
                                + " holds 1 readable epoch; kept as checkpoint/state\\.bin\\.damaged-\\d{8}T\\d{6}Z"),
                Arguments.of(
                        "checkpoint ahead of the log, previous fits",
                        "C2",
                        "C1",
                        "L1",
                        1,
                        ".* resumes from checkpoint/previous\\.bin \\(after epoch 1\\): checkpoint/state\\.bin was taken"
                                + " after epoch 2 but epochs\\.jsonl holds 1 readable epoch; kept as .*"),
                Arguments.of("damaged checkpoint, no previous", "damaged", "none", "L1 L2", 0, damaged),
                Arguments.of(
                        "damaged checkpoint, previous fits",
                        "damaged",
                        "C1",
                        "L1 L2",
                        1,
                        ".* resumes from checkpoint/previous\\.bin \\(after epoch 1\\): " + damaged.substring(2)),
                Arguments.of(
                        "damaged checkpoint and previous",
                        "damaged",
                        "damaged",
                        "L1 L2",
                        0,
                        ".* restarts from scratch: checkpoint/state\\.bin is damaged .*; checkpoint/previous\\.bin is"
                                + " damaged .*; kept as checkpoint/state\\.bin\\.damaged-.*, checkpoint/previous\\.bin\\.damaged-.*"),
                Arguments.of(
                        "only the previous checkpoint (killed between the renames)",
                        "none",
                        "C1",
                        "L1 L2",
                        1,
                        ".* resumes from checkpoint/previous\\.bin \\(after epoch 1\\): checkpoint/state\\.bin is missing"),
                Arguments.of(
                        "checkpoint without its log",
                        "C1",
                        "none",
                        "none",
                        0,
                        ".* restarts from scratch: checkpoint/state\\.bin was taken after epoch 1 but epochs\\.jsonl is"
                                + " missing; kept as .*"),
                Arguments.of(
                        "log without its checkpoint",
                        "none",
                        "none",
                        "L1 L2",
                        0,
                        ".* restarts from scratch: epochs\\.jsonl holds 2 readable epochs but there is no checkpoint to"
                                + " continue from"),
                Arguments.of("damaged checkpoint and no log", "damaged", "none", "none", 0, damaged),
                Arguments.of(
                        "a line appended onto a cut-short one",
                        "C2",
                        "C1",
                        "L1 garbage L2",
                        1,
                        ".* resumes from checkpoint/previous\\.bin \\(after epoch 1\\): checkpoint/state\\.bin was taken"
                                + " after epoch 2 but epochs\\.jsonl holds 1 readable epoch; epochs\\.jsonl: line 2 is not an"
                                + " epoch record \\(.*\\), cut after epoch 1; kept as checkpoint/state\\.bin\\.damaged-.*,"
                                + " epochs\\.jsonl\\.damaged-.*"),
                Arguments.of(
                        "garbage line after the checkpoint's epochs",
                        "C1",
                        "none",
                        "L1 garbage L2",
                        1,
                        ".* resumes after epoch 1: epochs\\.jsonl: line 2 is not an epoch record \\(.*\\), cut after"
                                + " epoch 1; kept as epochs\\.jsonl\\.damaged-.*"),
                Arguments.of(
                        "epochs out of order",
                        "C1",
                        "none",
                        "L2 L1",
                        0,
                        ".* restarts from scratch: checkpoint/state\\.bin was taken after epoch 1 but epochs\\.jsonl holds 0"
                                + " readable epochs; epochs\\.jsonl: line 1 holds epoch 2 where epoch 1 belongs; kept as .*"),
                Arguments.of(
                        "log is a folder",
                        "C1",
                        "none",
                        "folder",
                        0,
                        ".* restarts from scratch: .*epochs\\.jsonl: it is not a regular file; kept as .*"),
                Arguments.of(
                        "checkpoint beyond the run's epochs",
                        "C3",
                        "none",
                        "L1 L2",
                        0,
                        ".* restarts from scratch: checkpoint/state\\.bin was taken after epoch 3 but the run trains 2; .*"));
    }

    private void writeCheckpoint(Path file, String kind) throws Exception {
        byte[] bytes = switch (kind) {
            case "none" -> null;
            case "C1" -> CraftedCheckpoints.tinyCheckpoint(root, 1);
            case "C2" -> CraftedCheckpoints.tinyCheckpoint(root, 2);
            case "C3" -> CraftedCheckpoints.tinyCheckpoint(root, 3);
            case "damaged" -> Arrays.copyOf(CraftedCheckpoints.tinyCheckpoint(root, 2), 100);
            default -> throw new AssertionError(kind);
        };
        if (bytes != null) {
            Files.write(file, bytes);
        }
    }

    private static String epochLine(int epoch) throws Exception {
        return new ObjectMapper().writeValueAsString(new EpochRecord(epoch, 0.5, 0.8, 0.5, 0.8, 1.0));
    }

    @Test
    void aDamagedRunJsonIsNamedNotThrown() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        Path file = Files.createDirectories(root.resolve("quick").resolve(id)).resolve("run.json");
        Files.writeString(file, "{\"runId\": \"" + id + "\", \"status\": \"FINISHED\"");

        ResultStore.Stored<RunRecord> stored = store.inspectRun("quick", id);

        assertThat(stored.isDamaged()).isTrue();
        assertThat(stored.file()).isEqualTo(file);
        assertThat(stored.damage()).startsWith("Unexpected end-of-input");
        assertThat(store.readRun("quick", id)).isEmpty();
        Path kept = ResultStore.setAside(file);
        assertThat(kept.getFileName().toString()).matches("run\\.json\\.damaged-\\d{8}T\\d{6}Z");
        assertThat(store.inspectRun("quick", id).isDamaged())
                .as("gone: the run is simply unfinished")
                .isFalse();
    }

    @Test
    void aFileWhereTheCheckpointFolderBelongsIsSetAsideWhenTheRunStarts() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        Path run = Files.createDirectories(root.resolve("quick").resolve(id));
        Files.writeString(run.resolve("checkpoint"), "not a folder");

        List<String> warnings = new ArrayList<>();

        assertThat(store.prepareResume("quick", id, 2, warnings::add)).isNull();

        assertThat(warnings)
                .singleElement()
                .asString()
                .matches("warning: " + id.replace(".", "\\.") + " restarts from"
                        + " scratch: checkpoint is not a folder; kept as checkpoint\\.damaged-\\d{8}T\\d{6}Z");

        assertThat(run.resolve("checkpoint")).doesNotExist();
        try (Stream<Path> files = Files.list(run)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .singleElement()
                    .asString()
                    .startsWith("checkpoint.damaged-");
        }
    }
}
