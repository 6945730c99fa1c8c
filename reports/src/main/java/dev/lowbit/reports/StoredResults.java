package dev.lowbit.reports;

import dev.lowbit.api.result.EpochRecord;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.api.result.RunRecord;
import dev.lowbit.api.result.RunStatus;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Every run stored under a results directory, read recursively: {@code results/} merges all its
 * suites, {@code results/quick} is one suite, a single run's folder is one run.
 *
 * @param directory the directory that was read
 * @param runs the finished runs (those with a readable {@code run.json}), in {@link StoredRun#REPORT_ORDER}
 * @param inProgress folders with an {@code epochs.jsonl} or a {@code config.json} but no {@code run.json} yet, sorted
 * @param skipped one message per run that could not be read, naming the file and the reason
 */
public record StoredResults(Path directory, List<StoredRun> runs, List<Path> inProgress, List<String> skipped) {

    /** Name of the file whose presence marks a run as done. */
    public static final String RUN_FILE = "run.json";
    /** Name of the file a run appends one line to per finished epoch. */
    public static final String EPOCHS_FILE = "epochs.jsonl";

    /** Written when a run starts, so an unfinished run can say what it is. */
    public static final String CONFIG_FILE = "config.json";

    /** Copies the lists. */
    public StoredResults {
        runs = List.copyOf(runs);
        inProgress = List.copyOf(inProgress);
        skipped = List.copyOf(skipped);
    }

    /**
     * Reads every run under {@code directory}, warning on stderr about each run it skips.
     *
     * @throws ReportException if the directory does not exist or is not a directory
     */
    public static StoredResults read(Path directory) {
        return read(directory, message -> System.err.println("warning: " + message));
    }

    /**
     * Reads every run under {@code directory}. A run whose files cannot be parsed is skipped and
     * reported to {@code warnings}, so one bad file never hides the rest of a study.
     *
     * @throws ReportException if the directory does not exist or is not a directory
     */
    public static StoredResults read(Path directory, Consumer<String> warnings) {
        if (!Files.isDirectory(directory)) {
            throw new ReportException("Results directory '" + directory + "' does not exist"
                    + (Files.exists(directory) ? " as a directory" : "") + ". Run 'lowbit run --suite quick' first.");
        }
        TreeSet<Path> runDirs = new TreeSet<>();
        TreeSet<Path> epochDirs = new TreeSet<>();
        List<String> skipped = new ArrayList<>();
        Consumer<String> skip = message -> {
            skipped.add(message);
            warnings.accept(message);
        };
        walk(directory, runDirs, epochDirs, skip);

        List<StoredRun> runs = new ArrayList<>();
        for (Path dir : runDirs) {
            try {
                runs.add(readRun(dir));
            } catch (IOException | RuntimeException e) {
                // Jackson wraps failures of the records' own checks, but a NullPointerException from
                // a compact constructor can still surface unwrapped; either way it is this run's problem.
                skip.accept("skipping run '" + dir + "': " + firstLine(e));
            }
        }
        runs.sort(StoredRun.REPORT_ORDER);
        epochDirs.removeAll(runDirs);
        return new StoredResults(directory, runs, new ArrayList<>(epochDirs), skipped);
    }

    private static void walk(Path root, TreeSet<Path> runDirs, TreeSet<Path> epochDirs, Consumer<String> skip) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    if (name.equals(RUN_FILE)) {
                        runDirs.add(file.getParent());
                    } else if (name.equals(EPOCHS_FILE) || name.equals(CONFIG_FILE)) {
                        epochDirs.add(file.getParent());
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // An unreadable folder on a shared file system should cost its runs, not the report.
                    skip.accept("skipping '" + file + "': cannot read it (" + e + ")");
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot list results under '" + root + "'", e);
        }
    }

    private static StoredRun readRun(Path dir) throws IOException {
        RunRecord run = Json.MAPPER.readValue(dir.resolve(RUN_FILE).toFile(), RunRecord.class);
        requirePresent(run);
        return new StoredRun(run, readEpochs(dir.resolve(EPOCHS_FILE)));
    }

    /** Absent fields deserialize to null; the report would fail on them later, far from the cause. */
    private static void requirePresent(RunRecord run) throws IOException {
        if (run == null) {
            throw new IOException(RUN_FILE + " is empty");
        }
        String missing = run.runId() == null ? "runId"
                : run.status() == null ? "status"
                : run.config() == null ? "config"
                : run.config().architecture() == null ? "config.architecture"
                : run.config().quantizer() == null ? "config.quantizer" // the spec names the run everywhere
                : run.quantizer() == null ? "quantizer"
                : run.quantizer().id() == null ? "quantizer.id"
                : run.memory() == null && run.status() == RunStatus.FINISHED ? "memory"
                : null;
        if (missing != null) {
            throw new IOException(RUN_FILE + " has no '" + missing + "'");
        }
    }

    private static List<EpochRecord> readEpochs(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of(); // a run can fail before its first epoch
        }
        List<EpochRecord> epochs = new ArrayList<>();
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isBlank()) {
                continue;
            }
            try {
                epochs.add(Json.MAPPER.readValue(lines.get(i), EpochRecord.class));
            } catch (IOException e) {
                throw new IOException(EPOCHS_FILE + " line " + (i + 1) + ": " + firstLine(e), e);
            }
        }
        return epochs;
    }

    /**
     * What an unfinished run has stored: its config when it wrote one and its epochs so far. Its
     * files are being written while we read, so anything unreadable is shown as unknown, not fatal.
     */
    InProgressRow inProgressRow(Path dir) {
        Optional<RunConfig> config = Optional.empty();
        try {
            if (Files.exists(dir.resolve(CONFIG_FILE))) {
                config = Optional.of(Json.MAPPER.readValue(dir.resolve(CONFIG_FILE).toFile(), RunConfig.class));
            }
        } catch (IOException | RuntimeException e) {
            // a config.json caught half-written: the row shows the folder alone
        }
        List<EpochRecord> epochs;
        try {
            epochs = readEpochs(dir.resolve(EPOCHS_FILE));
        } catch (IOException | RuntimeException e) {
            epochs = List.of(); // the last line may be half-appended
        }
        Path relative = directory.toAbsolutePath().normalize().relativize(dir.toAbsolutePath().normalize());
        return InProgressRow.of(relative.toString(), config, epochs);
    }

    /** Jackson's messages run on with source excerpts; the first line says what went wrong. */
    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }
}
