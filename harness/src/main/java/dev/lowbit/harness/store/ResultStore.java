package dev.lowbit.harness.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.RunRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Plain files, so any shard on a shared filesystem can write and any tool can read:
 * <pre>
 *   ROOT/SUITE/RUN-ID/run.json      config, provenance, final metrics; written last, atomically
 *                     epochs.jsonl  one JSON line per finished epoch, appended and synced
 * </pre>
 * A run is finished exactly when its run.json exists.
 */
public final class ResultStore {

    public static final String RUN_FILE = "run.json";
    public static final String EPOCHS_FILE = "epochs.jsonl";

    private final Path root;
    private final ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
            .disable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private final ObjectMapper jsonLines = new ObjectMapper();

    public ResultStore(Path root) {
        this.root = root;
    }

    /** The folder of every run of one suite. */
    public Path suiteDirectory(String suite) {
        return root.resolve(suite);
    }

    /** The folder of one run. */
    public Path runDirectory(String suite, String runId) {
        return suiteDirectory(suite).resolve(runId);
    }

    /** The stored run.json of a run, if it exists. */
    public Optional<RunRecord> readRun(String suite, String runId) {
        Path file = runDirectory(suite, runId).resolve(RUN_FILE);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), RunRecord.class));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /**
     * Prepares an empty folder for a run about to start. Epochs left by an interrupted attempt are
     * discarded, so the stored epochs are always one uninterrupted training.
     */
    public void startRun(String suite, String runId) {
        Path directory = runDirectory(suite, runId);
        try {
            Files.createDirectories(directory);
            Files.deleteIfExists(directory.resolve(EPOCHS_FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare run folder " + directory, e);
        }
    }

    /** Appends one epoch line and syncs it to disk, so a crash loses at most the epoch in progress. */
    public void appendEpoch(String suite, String runId, EpochRecord epoch) {
        Path file = runDirectory(suite, runId).resolve(EPOCHS_FILE);
        try (FileChannel channel = FileChannel.open(file,
                StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            byte[] line = (jsonLines.writeValueAsString(epoch) + "\n").getBytes(StandardCharsets.UTF_8);
            channel.write(ByteBuffer.wrap(line));
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to " + file, e);
        }
    }

    /** Writes run.json through a temporary file and an atomic rename: readers see all of it or nothing. */
    public Path finishRun(RunRecord record) {
        Path directory = runDirectory(record.config().suite(), record.runId());
        Path target = directory.resolve(RUN_FILE);
        Path temporary = directory.resolve(RUN_FILE + ".tmp");
        try {
            Files.createDirectories(directory);
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(json.writeValueAsBytes(record)));
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target, e);
        }
    }
}
