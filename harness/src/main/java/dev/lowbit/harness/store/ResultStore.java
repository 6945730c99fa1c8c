package dev.lowbit.harness.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.harness.BadInputException;
import ai.djl.nn.Block;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import dev.lowbit.harness.train.Checkpoint;
import dev.lowbit.harness.train.TrainingRunner;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plain files, so any shard on a shared filesystem can write and any tool can read:
 * <pre>
 *   ROOT/SUITE/RUN-ID/config.json               the run's config (RunConfig); written atomically when the run
 *                                               starts, before its first epoch, and kept when it resumes
 *                     run.json                  config, provenance, final metrics; written last, atomically
 *                     epochs.jsonl              one JSON line per finished epoch, appended and synced
 *                     checkpoint/state.bin      the latest epoch's parameters and optimizer state
 *                     run.lock                  held (OS file lock) by the worker training the run
 *                     model.lbw                 the packed model (integer codes, scales, fp32 rest)
 *                     test-predictions.txt      the argmax of every test image, one per line
 * </pre>
 * A run is finished exactly when its run.json exists; a run with config.json and no run.json is in
 * progress or was interrupted (its epochs.jsonl says how far it got).
 */
public final class ResultStore {

    public static final String RUN_FILE = "run.json";
    public static final String CONFIG_FILE = "config.json";
    public static final String EPOCHS_FILE = "epochs.jsonl";
    public static final String MODEL_FILE = "model.lbw";
    public static final String PREDICTIONS_FILE = "test-predictions.txt";
    public static final String CHECKPOINT_FILE = "checkpoint/state.bin";
    public static final String LOCK_FILE = "run.lock";
    /** The SHA-256 of the plugin code a run trains with, while it trains (run.json's provenance has it after). */
    public static final String CODE_FILE = "plugin-code.json";

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
        return readJson(runDirectory(suite, runId).resolve(RUN_FILE), RunRecord.class);
    }

    /**
     * Prepares an empty folder for a run about to start from scratch: anything an earlier attempt
     * left (a failed run's record, or results of plugin code that has changed since) is discarded.
     */
    public void startRun(String suite, String runId) {
        Path directory = runDirectory(suite, runId);
        try {
            Files.createDirectories(directory);
            for (String file : List.of(RUN_FILE, EPOCHS_FILE, MODEL_FILE, PREDICTIONS_FILE, CHECKPOINT_FILE, CODE_FILE)) {
                Files.deleteIfExists(directory.resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare run folder " + directory, e);
        }
    }

    /**
     * Writes the run's config.json, atomically, unless it is already there: a run id is a hash of its
     * config, so a resumed or retried run finds its own config and keeps it.
     *
     * @return the file
     */
    public Path writeConfig(RunConfig config, String runId) {
        Path file = runDirectory(config.suite(), runId).resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)) {
            try {
                writeAtomically(file, json.writeValueAsBytes(config));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write " + file, e);
            }
        }
        return file;
    }

    /** Records the plugin code a run trains with ({@link #CODE_FILE}), atomically; a built-in run has no such file. */
    public void writePluginCode(String suite, String runId, Map<String, String> code) {
        Path file = runDirectory(suite, runId).resolve(CODE_FILE);
        try {
            if (code.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            writeAtomically(file, json.writeValueAsBytes(code));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** The plugin code an unfinished run started with, if recorded (runs of older lowbit versions have none). */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, String>> readPluginCode(String suite, String runId) {
        return readJson(runDirectory(suite, runId).resolve(CODE_FILE), Map.class).map(m -> (Map<String, String>) m);
    }

    /** The stored config.json of a run that has started (finished or not), if it exists. */
    public Optional<RunConfig> readConfig(String suite, String runId) {
        return readJson(runDirectory(suite, runId).resolve(CONFIG_FILE), RunConfig.class);
    }

    /** A stored JSON file of a run as {@code type}, or empty when the run has not written it. */
    private <T> Optional<T> readJson(Path file, Class<T> type) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(json.readValue(file.toFile(), type));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    /** The packed model of a run. */
    public Path modelFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(MODEL_FILE);
    }

    /** The file that holds a run's latest checkpoint (parameters and optimizer state). */
    public Path checkpointFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(CHECKPOINT_FILE);
    }

    /**
     * Makes a freshly built, uninitialised block start at the parameters of a run's checkpoint;
     * initialise it afterwards.
     */
    public static void initializeFromCheckpoint(Path runDirectory, Block block) {
        Path file = runDirectory.resolve(CHECKPOINT_FILE);
        try {
            Checkpoint.read(file).initialize(block);
        } catch (IOException | IllegalArgumentException e) {
            throw new BadInputException("Cannot read the checkpoint '" + file + "': " + e.getMessage()
                    + ". Train the run again with 'lowbit run'.", e);
        }
    }

    /**
     * Takes the run's lock, or returns empty when another process holds it. The operating system
     * drops the lock when its process dies, even by kill -9, so a crashed worker never blocks a run.
     */
    public Optional<RunLock> tryLock(String suite, String runId) {
        Path file = runDirectory(suite, runId).resolve(LOCK_FILE);
        try {
            Files.createDirectories(file.getParent());
            FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by this process, e.g. a second worker thread
            }
            if (lock == null) {
                channel.close();
                return Optional.empty();
            }
            return Optional.of(new RunLock(channel, lock));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot lock " + file, e);
        }
    }

    /** A held run lock; closing releases it. */
    public record RunLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot release a run lock", e);
            }
        }
    }

    /** The run's epochs.jsonl as the trainer sees it. */
    public TrainingRunner.EpochLog epochLog(String suite, String runId) {
        Path file = runDirectory(suite, runId).resolve(EPOCHS_FILE);
        return new TrainingRunner.EpochLog() {
            @Override
            public List<EpochRecord> read() {
                return readEpochs(file);
            }

            @Override
            public void keepFirst(int count) {
                List<EpochRecord> kept = readEpochs(file);
                if (kept.size() > count) {
                    rewriteEpochs(file, kept.subList(0, count));
                }
            }

            @Override
            public void append(EpochRecord epoch) {
                appendEpoch(suite, runId, epoch);
            }
        };
    }

    /**
     * The epochs stored in an epochs.jsonl, in order. A last line cut short by a crash during its
     * write is ignored: that epoch is trained again.
     */
    private List<EpochRecord> readEpochs(Path file) {
        if (!Files.isRegularFile(file)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            List<EpochRecord> epochs = new ArrayList<>();
            for (int i = 0; i < lines.size(); i++) {
                try {
                    epochs.add(jsonLines.readValue(lines.get(i), EpochRecord.class));
                } catch (IOException e) {
                    if (i < lines.size() - 1) {
                        throw new UncheckedIOException("Corrupt line " + (i + 1) + " in " + file, e);
                    }
                }
            }
            return epochs;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    private void rewriteEpochs(Path file, List<EpochRecord> epochs) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            StringBuilder text = new StringBuilder();
            for (EpochRecord epoch : epochs) {
                text.append(jsonLines.writeValueAsString(epoch)).append('\n');
            }
            Files.writeString(temporary, text);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot rewrite " + file, e);
        }
    }

    /** Writes the argmax of every test image, one per line. */
    public void writePredictions(String suite, String runId, int[] predictions) {
        writePredictions(runDirectory(suite, runId).resolve(PREDICTIONS_FILE), predictions);
    }

    /** Writes predictions, one per line, to any file, atomically: a failed write leaves the old file or none. */
    public static void writePredictions(Path file, int[] predictions) {
        StringBuilder text = new StringBuilder(predictions.length * 2);
        for (int prediction : predictions) {
            text.append(prediction).append('\n');
        }
        try {
            writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /**
     * The folder of the run with this id anywhere under {@code results} (a results root or one suite).
     *
     * @throws BadInputException listing some ids that exist when there is none
     */
    public static Path findRun(Path results, String runId) {
        if (!Files.isDirectory(results)) {
            throw new BadInputException("No results folder '" + results + "'. Give the --results folder of"
                    + " 'lowbit run' (default: results).");
        }
        try (Stream<Path> files = Files.walk(results, 3)) {
            List<Path> runs = files.filter(p -> p.getFileName().toString().equals(RUN_FILE)).map(Path::getParent)
                    .sorted().toList();
            return runs.stream().filter(p -> p.getFileName().toString().equals(runId)).findFirst().orElseThrow(() ->
                    new BadInputException("No finished run '" + runId + "' under '" + results + "'. Runs there: "
                            + (runs.isEmpty() ? "none" : runs.stream().map(p -> p.getFileName().toString())
                                    .limit(12).toList() + (runs.size() > 12 ? " and " + (runs.size() - 12) + " more" : ""))
                            + ". Run ids are the folder names under RESULTS/SUITE/."));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + results, e);
        }
    }

    /** Reads a run.json. */
    public RunRecord readRun(Path runDirectory) {
        Path file = runDirectory.resolve(RUN_FILE);
        try {
            return json.readValue(file.toFile(), RunRecord.class);
        } catch (IOException e) {
            throw new BadInputException("Cannot read '" + file + "': " + e.getMessage().lines().findFirst().orElse(""), e);
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
        Path target = runDirectory(record.config().suite(), record.runId()).resolve(RUN_FILE);
        try {
            writeAtomically(target, json.writeValueAsBytes(record));
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target, e);
        }
    }

    /** Writes a file through a synced temporary file and an atomic rename: readers see all of it or nothing. */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.createDirectories(target.toAbsolutePath().getParent());
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                channel.write(ByteBuffer.wrap(bytes));
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            // A half-written temporary (a full disk) is not left behind.
            Files.deleteIfExists(temporary);
            throw e;
        }
    }
}
