package dev.lowbit.harness.store;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.harness.BadInputException;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
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
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Plain files, so any shard on a shared filesystem can write and any tool can read:
 * <pre>
 *   ROOT/SUITE/RUN-ID/run.json                  config, provenance, final metrics; written last, atomically
 *                     epochs.jsonl              one JSON line per finished epoch, appended and synced
 *                     checkpoint/parameters.bin the fp32 shadow weights (DJL's parameter format)
 *                     model.lbw                 the packed model (integer codes, scales, fp32 rest)
 *                     test-predictions.txt      the argmax of every test image, one per line
 * </pre>
 * A run is finished exactly when its run.json exists.
 */
public final class ResultStore {

    public static final String RUN_FILE = "run.json";
    public static final String EPOCHS_FILE = "epochs.jsonl";
    public static final String MODEL_FILE = "model.lbw";
    public static final String PREDICTIONS_FILE = "test-predictions.txt";
    public static final String CHECKPOINT_FILE = "checkpoint/parameters.bin";

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
            for (String file : List.of(EPOCHS_FILE, MODEL_FILE, PREDICTIONS_FILE, CHECKPOINT_FILE)) {
                Files.deleteIfExists(directory.resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare run folder " + directory, e);
        }
    }

    /** The packed model of a run. */
    public Path modelFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(MODEL_FILE);
    }

    /** Saves the model's fp32 parameters (shadow weights included), replacing an earlier checkpoint atomically. */
    public void saveCheckpoint(String suite, String runId, Block block) {
        Path file = runDirectory(suite, runId).resolve(CHECKPOINT_FILE);
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary)))) {
                block.saveParameters(out);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** Loads a checkpoint into a block built like the one that saved it. */
    public static void loadCheckpoint(Path runDirectory, Block block, NDManager manager) {
        Path file = runDirectory.resolve(CHECKPOINT_FILE);
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file)))) {
            block.loadParameters(manager, in);
        } catch (IOException | MalformedModelException e) {
            throw new BadInputException("Cannot read the checkpoint '" + file + "': " + e.getMessage()
                    + ". Train the run again with 'lowbit run'.", e);
        }
    }

    /** Writes the argmax of every test image, one per line. */
    public void writePredictions(String suite, String runId, int[] predictions) {
        writePredictions(runDirectory(suite, runId).resolve(PREDICTIONS_FILE), predictions);
    }

    /** Writes predictions, one per line, to any file. */
    public static void writePredictions(Path file, int[] predictions) {
        StringBuilder text = new StringBuilder(predictions.length * 2);
        for (int prediction : predictions) {
            text.append(prediction).append('\n');
        }
        try {
            Files.writeString(file, text);
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
