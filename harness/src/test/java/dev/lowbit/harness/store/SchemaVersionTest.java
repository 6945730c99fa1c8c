package dev.lowbit.harness.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.ModelRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.StoreJson;
import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run.json and config.json carry their schema version; a newer one is refused, a missing one is version 1. */
class SchemaVersionTest {

    @TempDir
    Path root;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Recipe RECIPE = new Recipe("base", "adam", 0.001, "constant", 128, 3, 0, "none");
    private static final RunConfig CONFIG =
            new RunConfig("quick", "fashion-mnist", "fcnn-small", "ternary", "all", "none", RECIPE, 0, 0.1, 1);
    private static final String ID = RunIds.of(CONFIG);

    private static RunRecord record() {
        return new RunRecord(
                ID,
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
    }

    private Path folder() {
        return root.resolve("quick").resolve(ID);
    }

    @Test
    void writtenFilesCarryTheirSchemaVersionFirstAndTheRunIdDoesNotHashIt() throws Exception {
        ResultStore store = new ResultStore(root);
        store.startRun("quick", ID);
        store.writeConfig(CONFIG, ID);
        store.finishRun(record());

        for (String file : List.of(StoreLayout.CONFIG_FILE, StoreLayout.RUN_FILE)) {
            JsonNode stored = JSON.readTree(folder().resolve(file).toFile());
            assertThat(stored.fieldNames().next()).as(file).isEqualTo("schemaVersion");
            assertThat(stored.get("schemaVersion").intValue()).as(file).isEqualTo(1);
        }
        assertThat(RunConfig.SCHEMA_VERSION).isEqualTo(1);
        assertThat(RunRecord.SCHEMA_VERSION).isEqualTo(1);
        assertThat(JSON.readTree(folder().resolve(StoreLayout.RUN_FILE).toFile())
                        .get("config")
                        .has("schemaVersion"))
                .as("the file's version covers the config inside it")
                .isFalse();
        assertThat(store.readRun("quick", ID)).contains(record());
        assertThat(store.readConfig("quick", ID)).contains(CONFIG);
        assertThat(store.readRun(folder())).isEqualTo(record());
        // Ids were hashes of the config before versions existed: every stored run keeps its id.
        assertThat(ID).isEqualTo("fcnn-small.ternary.s1.3a8b1b49");
    }

    @Test
    void filesWithoutAVersionReadAsVersionOne() throws Exception {
        ResultStore store = new ResultStore(root);
        store.startRun("quick", ID);
        store.writeConfig(CONFIG, ID);
        store.finishRun(record());
        for (String file : List.of(StoreLayout.CONFIG_FILE, StoreLayout.RUN_FILE)) {
            ObjectNode stored =
                    (ObjectNode) JSON.readTree(folder().resolve(file).toFile());
            stored.remove("schemaVersion");
            JSON.writeValue(folder().resolve(file).toFile(), stored);
        }
        String config = Files.readString(folder().resolve(StoreLayout.CONFIG_FILE));

        assertThat(store.inspectRun("quick", ID).isDamaged()).isFalse();
        assertThat(store.readRun("quick", ID)).contains(record());
        assertThat(store.readRun(folder())).isEqualTo(record());
        assertThat(store.readConfig("quick", ID)).contains(CONFIG);
        store.writeConfig(CONFIG, ID);
        assertThat(Files.readString(folder().resolve(StoreLayout.CONFIG_FILE)))
                .as("not replaced")
                .isEqualTo(config);
    }

    @Test
    void aNewerVersionIsRefusedWithTheFileItsVersionAndTheAdviceNeverSetAside() throws Exception {
        ResultStore store = new ResultStore(root);
        store.startRun("quick", ID);
        store.writeConfig(CONFIG, ID);
        store.finishRun(record());
        Path run = folder().resolve(StoreLayout.RUN_FILE);
        Path config = folder().resolve(StoreLayout.CONFIG_FILE);
        for (Path file : List.of(run, config)) {
            ObjectNode stored = (ObjectNode) JSON.readTree(file.toFile());
            stored.put("schemaVersion", 7);
            stored.put("aFieldOfTheFuture", true);
            JSON.writeValue(file.toFile(), stored);
        }

        String expected = "'" + run + "' has schema version 7, newer than this lowbit knows (it reads up to schema"
                + " version 1): upgrade lowbit to read it.";
        assertThatThrownBy(() -> store.inspectRun("quick", ID))
                .isInstanceOf(BadInputException.class)
                .hasMessage(expected);
        assertThatThrownBy(() -> store.readRun(folder()))
                .isInstanceOf(BadInputException.class)
                .hasMessage(expected);
        assertThatThrownBy(() -> store.readConfig("quick", ID))
                .isInstanceOf(BadInputException.class)
                .hasMessage("'" + config + "' has schema version 7, newer than this lowbit knows (it reads up to"
                        + " schema version 1): upgrade lowbit to read it.");
        assertThatThrownBy(() -> store.writeConfig(CONFIG, ID)).isInstanceOf(BadInputException.class);
        try (var files = Files.list(folder())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("run.json", "config.json");
        }
    }

    @Test
    void aVersionThatIsNotAWholeNumberFromOneIsDamage() throws Exception {
        ResultStore store = new ResultStore(root);
        store.startRun("quick", ID);
        store.finishRun(record());
        Path run = folder().resolve(StoreLayout.RUN_FILE);
        for (String version : List.of("\"2\"", "1.5", "0", "-3", "null")) {
            ObjectNode stored = (ObjectNode) JSON.readTree(run.toFile());
            stored.set("schemaVersion", JSON.readTree(version));
            JSON.writeValue(run.toFile(), stored);
            assertThat(store.inspectRun("quick", ID).damage())
                    .as(version)
                    .isEqualTo("run.json has schemaVersion " + version + ", not a whole number from 1");
        }
        assertThat(StoreJson.UNVERSIONED).isEqualTo(1);
    }
}
