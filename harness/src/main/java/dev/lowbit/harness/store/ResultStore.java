package dev.lowbit.harness.store;

import static dev.lowbit.format.result.StoreLayout.CHECKPOINT_FILE;
import static dev.lowbit.format.result.StoreLayout.CODE_FILE;
import static dev.lowbit.format.result.StoreLayout.CONFIG_FILE;
import static dev.lowbit.format.result.StoreLayout.EPOCHS_FILE;
import static dev.lowbit.format.result.StoreLayout.LOCK_FILE;
import static dev.lowbit.format.result.StoreLayout.MODEL_FILE;
import static dev.lowbit.format.result.StoreLayout.PREDICTIONS_FILE;
import static dev.lowbit.format.result.StoreLayout.PREVIOUS_CHECKPOINT_FILE;
import static dev.lowbit.format.result.StoreLayout.RUN_FILE;

import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.StoreJson;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.train.Checkpoint;
import dev.lowbit.harness.train.TrainingRunner;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Plain files, so any shard on a shared filesystem can write and any tool can read:
 * <pre>
 *   ROOT/SUITE/RUN-ID/config.json               the run's config (RunConfig); written atomically when the run
 *                                               starts, before its first epoch, and kept when it resumes
 *                     run.json                  config, provenance, final metrics; written last, atomically
 *                     epochs.jsonl              one JSON line per finished epoch, appended and synced
 *                     checkpoint/state.bin      the latest epoch's parameters and optimizer state (CRC32C-checked)
 *                     checkpoint/previous.bin   the one before, while the run trains: a fallback when the latest is lost
 *                     run.lock                  held (OS file lock) by the worker training the run
 *                     model.lbw                 the packed model (integer codes, scales, fp32 rest)
 *                     test-predictions.txt      the argmax of every test image, one per line
 * </pre>
 * (The names are {@link dev.lowbit.format.result.StoreLayout}'s, the JSON settings {@link StoreJson}'s, both shared
 * with the report that reads these files.)
 * A run is finished exactly when its run.json exists; a run with config.json and no run.json is in
 * progress or was interrupted (its epochs.jsonl says how far it got).
 *
 * <p>A results folder is shared, copied and edited, so nothing in it is trusted: a file that cannot
 * be read as what it should be is damaged, and a damaged file makes its run train again (from its
 * newest usable checkpoint, or from scratch) instead of stopping the grid. A damaged result, log or
 * checkpoint is not deleted: it is renamed to {@code NAME.damaged-TIMESTAMP} beside the original, and
 * the log says so in one line. (A cut-short last epoch line and a damaged config.json are simply
 * replaced: they hold nothing that is not recomputed.)
 */
public final class ResultStore {

    /** Far beyond any run.json, config.json or plugin-code.json lowbit writes (tens of KB): larger is not ours. */
    private static final long LARGEST_JSON_FILE = 16L << 20;
    /** Far beyond any epochs.jsonl line lowbit writes (level occupancy of every tensor): longer is garbage. */
    private static final int LONGEST_EPOCH_LINE = 1 << 20;

    private static final DateTimeFormatter SET_ASIDE_STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private static final ObjectMapper JSON = StoreJson.mapper();
    private static final ObjectWriter JSON_LINES = StoreJson.lineWriter();

    private final Path root;

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

    /**
     * A stored JSON file as found: absent ({@code value} and {@code damage} null), read, or damaged
     * (it exists but cannot be what it should be; {@code damage} says why in a few words).
     */
    public record Stored<T>(Path file, T value, String damage) {

        public boolean isDamaged() {
            return damage != null;
        }

        /** The value, empty when the file is absent or damaged. */
        public Optional<T> asOptional() {
            return Optional.ofNullable(value);
        }
    }

    /** The stored run.json of a run, if it exists and is readable. */
    public Optional<RunRecord> readRun(String suite, String runId) {
        return inspectRun(suite, runId).asOptional();
    }

    /**
     * A run's run.json as found. Damaged includes unparseable, empty, another run's, and lacking what
     * {@code lowbit run} and the report need to use it (as the report checks).
     */
    public Stored<RunRecord> inspectRun(String suite, String runId) {
        Stored<JsonNode> stored =
                readStored(runDirectory(suite, runId).resolve(RUN_FILE), JsonNode.class, RunRecord.SCHEMA_VERSION);
        if (stored.value() == null) {
            return new Stored<>(stored.file(), null, stored.damage());
        }
        JsonNode tree = stored.value();
        if (!tree.isObject()) {
            return new Stored<>(stored.file(), null, tree.isNull() ? "it holds null" : "it is not a JSON object");
        }
        // Named before binding: Jackson's own message for a missing field is a constructor's NullPointerException.
        String missing = Stream.of(
                        "runId",
                        "status",
                        "config",
                        "config/suite",
                        "config/architecture",
                        "config/quantizer",
                        "config/recipe",
                        "quantizer",
                        "quantizer/id",
                        "provenance")
                .filter(field -> tree.at("/" + field).isMissingNode()
                        || tree.at("/" + field).isNull())
                .findFirst()
                .orElse(null);
        if (missing != null) {
            return new Stored<>(stored.file(), null, "it has no '" + missing.replace('/', '.') + "'");
        }
        RunRecord run;
        try {
            run = JSON.treeToValue(tree, RunRecord.class);
        } catch (IOException | RuntimeException e) {
            return new Stored<>(stored.file(), null, firstLine(e));
        }
        if (run.memory() == null && run.status() == RunStatus.FINISHED) {
            return new Stored<>(stored.file(), null, "it is FINISHED but has no 'memory'");
        }
        if (!runId.equals(run.runId())) {
            return new Stored<>(
                    stored.file(), null, "it is the record of run '" + run.runId() + "', not of '" + runId + "'");
        }
        return new Stored<>(stored.file(), run, null);
    }

    /**
     * Renames a damaged file (or folder) to {@code NAME.damaged-TIMESTAMP} beside it, so whatever it
     * held stays for a person to look at while the run replaces it.
     *
     * @return where it is now
     */
    public static Path setAside(Path file) {
        String stamp = SET_ASIDE_STAMP.format(Instant.now());
        Path target = file.resolveSibling(file.getFileName() + ".damaged-" + stamp);
        for (int n = 2; Files.exists(target, LinkOption.NOFOLLOW_LINKS); n++) {
            target = file.resolveSibling(file.getFileName() + ".damaged-" + stamp + "-" + n);
        }
        try {
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "Cannot move the damaged '" + file + "' aside to '" + target + "': " + e.getMessage(), e);
        }
    }

    /**
     * Prepares an empty folder for a run about to start from scratch: anything an earlier attempt
     * left (a failed run's record, or results of plugin code that has changed since) is discarded.
     */
    public void startRun(String suite, String runId) {
        Path directory = runDirectory(suite, runId);
        try {
            Files.createDirectories(directory);
            Path checkpoints = checkpointFile(suite, runId).getParent();
            if (Files.exists(checkpoints, LinkOption.NOFOLLOW_LINKS)
                    && !Files.isDirectory(checkpoints, LinkOption.NOFOLLOW_LINKS)) {
                setAside(checkpoints); // a file where the checkpoints' folder belongs would fail every epoch
            }
            for (String file : List.of(
                    RUN_FILE,
                    EPOCHS_FILE,
                    MODEL_FILE,
                    PREDICTIONS_FILE,
                    CHECKPOINT_FILE,
                    PREVIOUS_CHECKPOINT_FILE,
                    CODE_FILE)) {
                Files.deleteIfExists(directory.resolve(file));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot prepare run folder " + directory, e);
        }
    }

    /**
     * Writes the run's config.json, atomically, unless it is already there: a run id is a hash of its
     * config, so a resumed or retried run finds its own config and keeps it. A damaged one is replaced
     * (it holds nothing the config does not).
     *
     * @return the file
     */
    public Path writeConfig(RunConfig config, String runId) {
        Path file = runDirectory(config.suite(), runId).resolve(CONFIG_FILE);
        if (!Files.isRegularFile(file)
                || readStored(file, RunConfig.class, RunConfig.SCHEMA_VERSION).isDamaged()) {
            try {
                writeAtomically(file, StoreJson.writeVersioned(JSON, config, RunConfig.SCHEMA_VERSION));
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot write '" + file + "': " + e.getMessage(), e);
            }
        }
        return file;
    }

    /**
     * Records the plugin code a run trains with ({@link dev.lowbit.format.result.StoreLayout#CODE_FILE}), atomically;
     * a built-in run has no such file.
     */
    public void writePluginCode(String suite, String runId, Map<String, String> code) {
        Path file = runDirectory(suite, runId).resolve(CODE_FILE);
        try {
            if (code.isEmpty()) {
                Files.deleteIfExists(file);
                return;
            }
            writeAtomically(file, JSON.writeValueAsBytes(code));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + file, e);
        }
    }

    /** The plugin code an unfinished run started with, as found (runs of older lowbit versions have none). */
    @SuppressWarnings("unchecked")
    public Stored<Map<String, String>> readPluginCode(String suite, String runId) {
        Stored<Map> stored = readStored(runDirectory(suite, runId).resolve(CODE_FILE), Map.class, 0);
        if (stored.value() != null
                && !stored.value().entrySet().stream()
                        .allMatch(e -> ((Map.Entry<?, ?>) e).getKey() instanceof String
                                && ((Map.Entry<?, ?>) e).getValue() instanceof String)) {
            return new Stored<>(stored.file(), null, "it is not a map of jar names to SHA-256 sums");
        }
        return new Stored<>(stored.file(), (Map<String, String>) stored.value(), stored.damage());
    }

    /** The stored config.json of a run that has started (finished or not), if it exists and is readable. */
    public Optional<RunConfig> readConfig(String suite, String runId) {
        return readStored(runDirectory(suite, runId).resolve(CONFIG_FILE), RunConfig.class, RunConfig.SCHEMA_VERSION)
                .asOptional();
    }

    /**
     * A stored JSON file of a run as {@code type}: absent, read, or damaged with the reason.
     *
     * @param newestVersion the newest schema version of the file this lowbit reads, 0 for a file without one
     * @throws BadInputException if the file is of a newer schema version: it is a newer lowbit's, not damaged,
     *     so it is neither set aside nor replaced
     */
    private static <T> Stored<T> readStored(Path file, Class<T> type, int newestVersion) {
        if (!Files.exists(file)) {
            return new Stored<>(file, null, null);
        }
        try {
            if (!Files.isRegularFile(file)) {
                return new Stored<>(file, null, "it is not a regular file");
            }
            long size = Files.size(file);
            if (size > LARGEST_JSON_FILE) {
                return new Stored<>(file, null, "it is " + size + " bytes, far more than lowbit writes");
            }
            byte[] bytes = Files.readAllBytes(file);
            if (newestVersion > 0) {
                StoreJson.requireKnownVersion(JSON, bytes, file, newestVersion);
            }
            T value = JSON.readValue(bytes, type);
            return value == null || (value instanceof JsonNode node && node.isNull())
                    ? new Stored<>(file, null, "it holds null")
                    : new Stored<>(file, value, null);
        } catch (StoreJson.NewerVersionException e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (IOException | RuntimeException e) {
            // Jackson wraps failures of the records' own checks; a NullPointerException from a compact
            // constructor can still surface unwrapped. Either way the file is not what it should be.
            return new Stored<>(file, null, firstLine(e));
        }
    }

    /** Jackson's messages run on with source excerpts; the first line says what went wrong. */
    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The packed model of a run. */
    public Path modelFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(MODEL_FILE);
    }

    /** The file that holds a run's latest checkpoint (parameters and optimizer state). */
    public Path checkpointFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(CHECKPOINT_FILE);
    }

    /** The file that holds the checkpoint before a run's latest, while it trains. */
    public Path previousCheckpointFile(String suite, String runId) {
        return runDirectory(suite, runId).resolve(PREVIOUS_CHECKPOINT_FILE);
    }

    /**
     * Makes a freshly built, uninitialised block start at the parameters of a run's checkpoint;
     * initialise it afterwards.
     */
    public static void initializeFromCheckpoint(Path runDirectory, Block block) {
        Path file = runDirectory.resolve(CHECKPOINT_FILE);
        try {
            Checkpoint.read(file).initialize(block);
        } catch (IOException | Checkpoint.MismatchException e) {
            throw new BadInputException(
                    "Cannot read the checkpoint '" + file + "': " + e.getMessage() + ". Move '"
                            + runDirectory.resolve(RUN_FILE) + "' aside and run 'lowbit run' again to retrain the run.",
                    e);
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
            String why = e instanceof java.nio.file.FileAlreadyExistsException exists
                    ? "'" + exists.getFile() + "' is in the way, not a folder"
                    : e.toString();
            throw new UncheckedIOException("Cannot lock '" + file + "': " + why, e);
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
                return scanEpochs(file).epochs();
            }

            @Override
            public void append(EpochRecord epoch) {
                appendEpoch(suite, runId, epoch);
            }
        };
    }

    /**
     * An epochs.jsonl as found.
     *
     * @param epochs the readable epochs from the start: every line up to the first that is cut short, not an
     *     epoch record, or not the next epoch
     * @param lineEnds the byte offset just after each of {@code epochs}' lines
     * @param problem what is wrong after them, or null when every line is a readable epoch
     * @param garbage whether the problem is more than a cut-short last line (a crash during its write)
     */
    public record EpochScan(List<EpochRecord> epochs, List<Long> lineEnds, String problem, boolean garbage) {

        static EpochScan missing() {
            return new EpochScan(List.of(), List.of(), null, false);
        }
    }

    /**
     * Reads an epochs.jsonl line by line, keeping the readable epochs from its start. A line longer
     * than any lowbit writes is not read into memory, so the work is bounded by the file's real size.
     */
    public static EpochScan scanEpochs(Path file) {
        if (!Files.exists(file)) {
            return EpochScan.missing();
        }
        if (!Files.isRegularFile(file)) {
            return new EpochScan(List.of(), List.of(), "it is not a regular file", true);
        }
        List<EpochRecord> epochs = new ArrayList<>();
        List<Long> ends = new ArrayList<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            long offset = 0;
            int lineNumber = 1;
            boolean tooLong = false;
            for (int b = in.read(); b >= 0; b = in.read()) {
                offset++;
                if (b != '\n') {
                    if (line.size() < LONGEST_EPOCH_LINE) {
                        line.write(b);
                    } else {
                        tooLong = true;
                    }
                    continue;
                }
                if (tooLong) {
                    return new EpochScan(
                            epochs,
                            ends,
                            "line " + lineNumber + " is longer than " + LONGEST_EPOCH_LINE + " bytes",
                            true);
                }
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (!text.isBlank()) {
                    EpochRecord epoch;
                    try {
                        epoch = JSON.readValue(text, EpochRecord.class);
                    } catch (IOException | RuntimeException e) {
                        return new EpochScan(
                                epochs,
                                ends,
                                "line " + lineNumber + " is not an epoch record (" + firstLine(e) + ")",
                                true);
                    }
                    if (epoch == null || epoch.epoch() != epochs.size() + 1) {
                        return new EpochScan(
                                epochs,
                                ends,
                                "line " + lineNumber + " holds epoch "
                                        + (epoch == null ? "null" : epoch.epoch()) + " where epoch "
                                        + (epochs.size() + 1)
                                        + " belongs",
                                true);
                    }
                    epochs.add(epoch);
                    ends.add(offset);
                }
                lineNumber++;
            }
            if (line.size() > 0 || tooLong) {
                // Lines are written whole with their newline: one without is a write a crash cut short.
                return new EpochScan(epochs, ends, "its last line is cut short", false);
            }
            return new EpochScan(epochs, ends, null, false);
        } catch (IOException e) {
            return new EpochScan(epochs, ends, "it cannot be read (" + e.getMessage() + ")", true);
        }
    }

    /**
     * Makes an unfinished run's files consistent before it trains again and says where it continues:
     * the newest checkpoint that reads back whole and that its epochs.jsonl covers (the latest, else
     * the previous one), with the log cut to the epochs it holds. Without one the run starts from
     * scratch. Every repair beyond the ordinary (epochs trained after the checkpoint are dropped and
     * trained again) is one line on {@code warnings}, and a damaged file is set aside, not deleted.
     *
     * @param epochs the epochs the run trains: a checkpoint beyond them is not this run's
     * @return the checkpoint to continue from, or null to start from scratch (the folder then is cleared
     *     as by {@link #startRun})
     */
    public Checkpoint.Restored prepareResume(String suite, String runId, int epochs, Consumer<String> warnings) {
        Path directory = runDirectory(suite, runId);
        Path log = directory.resolve(EPOCHS_FILE);
        EpochScan scan = scanEpochs(log);
        List<String> rejected = new ArrayList<>();
        List<Path> unusable = new ArrayList<>();
        Checkpoint.Restored chosen = null;
        Path chosenFile = null;
        boolean latestMissing = !Files.exists(checkpointFile(suite, runId), LinkOption.NOFOLLOW_LINKS);
        Path checkpoints = checkpointFile(suite, runId).getParent();
        if (Files.exists(checkpoints, LinkOption.NOFOLLOW_LINKS)
                && !Files.isDirectory(checkpoints, LinkOption.NOFOLLOW_LINKS)) {
            rejected.add(directory.relativize(checkpoints) + " is not a folder");
            unusable.add(checkpoints);
        }
        for (Path candidate : List.of(checkpointFile(suite, runId), previousCheckpointFile(suite, runId))) {
            if (!Files.exists(candidate, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            String name = directory.relativize(candidate).toString();
            Checkpoint.Restored read;
            try {
                read = Checkpoint.read(candidate);
            } catch (IOException e) {
                rejected.add(name + " is damaged (" + e.getMessage() + ")");
                unusable.add(candidate);
                continue;
            }
            if (read.epoch() > epochs) {
                rejected.add(name + " was taken after epoch " + read.epoch() + " but the run trains " + epochs);
                unusable.add(candidate);
            } else if (read.epoch() > scan.epochs().size()) {
                rejected.add(name + " was taken after epoch " + read.epoch() + " but " + EPOCHS_FILE
                        + (Files.exists(log) ? " holds " + epochs(scan.epochs().size()) : " is missing"));
                unusable.add(candidate);
            } else {
                chosen = read;
                chosenFile = candidate;
                break;
            }
        }
        if (chosen == null) {
            restartFromScratch(suite, runId, scan, rejected, unusable, warnings);
            return null;
        }
        List<String> kept = new ArrayList<>();
        for (Path file : unusable) {
            kept.add(directory.relativize(setAside(file)).toString());
        }
        if (chosenFile.equals(previousCheckpointFile(suite, runId))) {
            try {
                Files.move(
                        chosenFile,
                        checkpointFile(suite, runId),
                        StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new UncheckedIOException(
                        "Cannot make '" + chosenFile + "' the latest checkpoint: " + e.getMessage(), e);
            }
        }
        // The chosen checkpoint's epoch is at most the readable epochs: the log is cut after it.
        if (scan.garbage()) {
            kept.add(directory.relativize(copyAside(log)).toString());
        }
        List<String> repairs = new ArrayList<>(rejected);
        if (latestMissing) {
            repairs.add(0, CHECKPOINT_FILE + " is missing"); // a crash between the two renames of a save
        }
        if (scan.problem() != null) {
            repairs.add(EPOCHS_FILE + ": " + scan.problem() + ", cut after epoch " + chosen.epoch());
        }
        truncateEpochs(log, scan.lineEnds().get(chosen.epoch() - 1));
        if (!repairs.isEmpty()) {
            warnings.accept("warning: " + runId
                    + (chosenFile.equals(checkpointFile(suite, runId))
                            ? " resumes after epoch " + chosen.epoch()
                            : " resumes from " + directory.relativize(chosenFile) + " (after epoch " + chosen.epoch()
                                    + ")")
                    + ": " + String.join("; ", repairs) + kept(kept));
        }
        return chosen;
    }

    /**
     * Clears a run whose checkpoint turned out not to fit its model (the reason), keeping that
     * checkpoint aside, so it trains from scratch; its config and plugin code stay.
     */
    public void restartRun(String suite, String runId, String reason, Consumer<String> warnings) {
        Path directory = runDirectory(suite, runId);
        List<String> kept = new ArrayList<>();
        for (Path file : List.of(checkpointFile(suite, runId), previousCheckpointFile(suite, runId))) {
            if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                kept.add(directory.relativize(setAside(file)).toString());
            }
        }
        truncateEpochs(directory.resolve(EPOCHS_FILE), 0);
        warnings.accept("warning: " + runId + " restarts from scratch: its checkpoint does not fit the model (" + reason
                + ")" + kept(kept));
    }

    private void restartFromScratch(
            String suite,
            String runId,
            EpochScan scan,
            List<String> rejected,
            List<Path> unusable,
            Consumer<String> warnings) {
        Path directory = runDirectory(suite, runId);
        Path log = directory.resolve(EPOCHS_FILE);
        List<String> kept = new ArrayList<>();
        for (Path file : unusable) {
            kept.add(directory.relativize(setAside(file)).toString());
        }
        List<String> reasons = new ArrayList<>(rejected);
        if (rejected.isEmpty() && !scan.epochs().isEmpty()) {
            reasons.add(EPOCHS_FILE + " holds " + epochs(scan.epochs().size()) + " but there is no checkpoint to"
                    + " continue from");
        }
        if (scan.garbage()) {
            kept.add(directory.relativize(setAside(log)).toString());
        }
        // A cut-short line alone (killed during the first epoch's write) is no news: the run starts anyway.
        if (scan.problem() != null && (scan.garbage() || !reasons.isEmpty())) {
            reasons.add(EPOCHS_FILE + ": " + scan.problem());
        }
        startRun(suite, runId);
        if (!reasons.isEmpty()) {
            warnings.accept("warning: " + runId + " restarts from scratch: " + String.join("; ", reasons) + kept(kept));
        }
    }

    private static String epochs(int count) {
        return count == 1 ? "1 readable epoch" : count + " readable epochs";
    }

    private static String kept(List<String> kept) {
        return kept.isEmpty() ? "" : "; kept as " + String.join(", ", kept);
    }

    /** Copies a file to {@code NAME.damaged-TIMESTAMP} beside it, for a repair that edits it in place. */
    private static Path copyAside(Path file) {
        Path moved = setAside(file);
        try {
            Files.copy(moved, file);
            return moved;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot copy '" + moved + "' back to '" + file + "': " + e.getMessage(), e);
        }
    }

    /** Cuts epochs.jsonl to its first {@code length} bytes (whole lines), synced, so appends start on a new line. */
    private static void truncateEpochs(Path file, long length) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() != length) {
                channel.truncate(length);
                channel.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot cut '" + file + "' to its epochs: " + e.getMessage(), e);
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
            List<Path> runs = files.filter(p -> p.getFileName().toString().equals(RUN_FILE))
                    .map(Path::getParent)
                    .sorted()
                    .toList();
            return runs.stream()
                    .filter(p -> p.getFileName().toString().equals(runId))
                    .findFirst()
                    .orElseThrow(() -> new BadInputException("No finished run '" + runId + "' under '" + results
                            + "'. Runs there: "
                            + (runs.isEmpty()
                                    ? "none"
                                    : runs.stream()
                                                    .map(p -> p.getFileName().toString())
                                                    .limit(12)
                                                    .toList()
                                            + (runs.size() > 12 ? " and " + (runs.size() - 12) + " more" : ""))
                            + ". Run ids are the folder names under RESULTS/SUITE/."));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list " + results, e);
        }
    }

    /** Reads a run.json. */
    public RunRecord readRun(Path runDirectory) {
        Path file = runDirectory.resolve(RUN_FILE);
        try {
            byte[] bytes = Files.readAllBytes(file);
            StoreJson.requireKnownVersion(JSON, bytes, file, RunRecord.SCHEMA_VERSION);
            return JSON.readValue(bytes, RunRecord.class);
        } catch (StoreJson.NewerVersionException e) {
            throw new BadInputException(e.getMessage(), e);
        } catch (IOException e) {
            throw new BadInputException(
                    "Cannot read '" + file + "': "
                            + e.getMessage().lines().findFirst().orElse(""),
                    e);
        }
    }

    /**
     * Appends one epoch line and syncs it to disk, so a crash loses at most the epoch in progress. The
     * line and its newline go in one write: a crash leaves the line whole or cut short, never runs two
     * lines together (a resumed run cuts a short one off first, see {@link #prepareResume}).
     */
    public void appendEpoch(String suite, String runId, EpochRecord epoch) {
        Path file = runDirectory(suite, runId).resolve(EPOCHS_FILE);
        try (FileChannel channel = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer line =
                    ByteBuffer.wrap((JSON_LINES.writeValueAsString(epoch) + "\n").getBytes(StandardCharsets.UTF_8));
            while (line.hasRemaining()) {
                channel.write(line);
            }
            channel.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to '" + file + "': " + e.getMessage(), e);
        }
    }

    /**
     * Writes run.json through a temporary file and an atomic rename: readers see all of it or nothing.
     * A run that ended (finished or diverged) no longer needs its previous checkpoint.
     *
     * @throws UncheckedIOException saying which file could not be written and why (a full disk, say)
     */
    public Path finishRun(RunRecord record) {
        Path target = runDirectory(record.config().suite(), record.runId()).resolve(RUN_FILE);
        try {
            writeAtomically(target, StoreJson.writeVersioned(JSON, record, RunRecord.SCHEMA_VERSION));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write '" + target + "': " + e.getMessage(), e);
        }
        if (record.status() != RunStatus.FAILED) {
            try {
                Files.deleteIfExists(previousCheckpointFile(record.config().suite(), record.runId()));
            } catch (IOException e) {
                // Only space is lost; the run's result is stored.
            }
        }
        return target;
    }

    /**
     * Writes a file through a synced temporary file and an atomic rename: readers see all of it or
     * nothing. A temporary file a failed write leaves (a full disk) is removed.
     */
    private static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path temporary = target.resolveSibling(target.getFileName() + ".tmp");
        Files.createDirectories(target.toAbsolutePath().getParent());
        try {
            try (FileChannel channel = FileChannel.open(
                    temporary,
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // The write's own failure is the one to report.
            }
            throw e;
        }
    }
}
