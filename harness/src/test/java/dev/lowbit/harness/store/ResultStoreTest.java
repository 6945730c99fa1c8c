package dev.lowbit.harness.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.ModelRecord;
import dev.lowbit.api.result.QuantizerRecord;
import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.api.result.RunStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ResultStoreTest {

    @TempDir
    Path root;

    private static final Recipe RECIPE = new Recipe("base", "adam", 0.001, "constant", 128, 3, 0, "none");
    private static final RunConfig CONFIG =
            new RunConfig("quick", "fashion-mnist", "fcnn-small", "ternary", "all", RECIPE, 0, 0.1, 1);

    @Test
    void runIdsAreStableReadableAndDifferPerConfig() {
        String id = RunIds.of(CONFIG);
        assertThat(id).matches("fcnn-small\\.ternary\\.s1\\.[0-9a-f]{8}");
        assertThat(RunIds.of(CONFIG)).isEqualTo(id);
        assertThat(RunIds.of(CONFIG.withQuantizer("fp32"))).startsWith("fcnn-small.fp32.s1.").isNotEqualTo(id);
        assertThat(RunIds.of(new RunConfig("quick", "fashion-mnist", "fcnn-small", "ternary", "all",
                RECIPE.withEpochs(4), 0, 0.1, 1))).isNotEqualTo(id);
    }

    @Test
    void appendsOneLinePerEpochAndWritesRunJsonLast() throws Exception {
        ResultStore store = new ResultStore(root);
        String id = RunIds.of(CONFIG);
        store.startRun("quick", id);
        store.appendEpoch("quick", id, new EpochRecord(1, 0.9, 0.7, 0.6, 0.8, 1.5));
        store.appendEpoch("quick", id, new EpochRecord(2, 0.5, 0.8, 0.5, 0.82, 1.4));
        assertThat(store.readRun("quick", id)).isEmpty();

        RunRecord record = new RunRecord(id, RunStatus.FINISHED, null, CONFIG,
                new QuantizerRecord("ternary", 3, List.of(-1.0, 0.0, 1.0), true, 1.58, "absmean/tensor"),
                new MemoryRecord(10, 8, 1, 40, 6.6), new ModelRecord(List.of(1L, 28L, 28L), 10, 0.28f, 0.35f), 2, null, null, 0.82, 0.81, 0.5, "a", "b", Map.of("java.version", "17"));
        Path written = store.finishRun(record);

        assertThat(written).isEqualTo(root.resolve("quick").resolve(id).resolve("run.json"));
        assertThat(Files.readAllLines(root.resolve("quick").resolve(id).resolve("epochs.jsonl"))).containsExactly(
                "{\"epoch\":1,\"trainLoss\":0.9,\"trainAccuracy\":0.7,\"validationLoss\":0.6,\"validationAccuracy\":0.8,"
                        + "\"seconds\":1.5,\"learningRate\":null,\"flipRatio\":null,\"beyondOutermostShare\":null,"
                        + "\"lossSpikes\":null,\"levelOccupancy\":{}}",
                "{\"epoch\":2,\"trainLoss\":0.5,\"trainAccuracy\":0.8,\"validationLoss\":0.5,\"validationAccuracy\":0.82,"
                        + "\"seconds\":1.4,\"learningRate\":null,\"flipRatio\":null,\"beyondOutermostShare\":null,"
                        + "\"lossSpikes\":null,\"levelOccupancy\":{}}");
        assertThat(store.readRun("quick", id)).contains(record);
        try (var files = Files.list(root.resolve("quick").resolve(id))) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("run.json", "epochs.jsonl");
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
        assertThat(store.readRun("quick", id)).as("in progress: a config, no run.json").isEmpty();
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
}
