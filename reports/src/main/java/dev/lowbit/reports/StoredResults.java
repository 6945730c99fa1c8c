package dev.lowbit.reports;

import static dev.lowbit.format.result.StoreLayout.CONFIG_FILE;
import static dev.lowbit.format.result.StoreLayout.EPOCHS_FILE;
import static dev.lowbit.format.result.StoreLayout.RUN_FILE;

import dev.lowbit.format.result.EpochRecord;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.format.result.RunRecord;
import dev.lowbit.format.result.RunStatus;
import dev.lowbit.format.result.StoreJson;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Every run stored under a results directory, read recursively: {@code results/} merges all its
 * suites, {@code results/quick} is one suite, a single run's folder is one run.
 *
 * <p>A results folder may come from someone else, so it is read as untrusted input: each file's size
 * is checked against {@link ReportLimits} before it is read, at most {@link ReportLimits#MAX_RUNS}
 * runs and {@link ReportLimits#MAX_TOTAL_BYTES} bytes are read in all, only regular files inside the
 * folder are read (a symbolic link could otherwise put a file from elsewhere into a published
 * report), and every number is checked by {@link StoredValues}. What fails any of this costs its run
 * a warning, never the report.
 *
 * @param directory the directory that was read
 * @param runs the finished runs (those with a readable {@code run.json}), in {@link StoredRun#REPORT_ORDER}
 * @param inProgress folders with an {@code epochs.jsonl} or a {@code config.json} but no {@code run.json} yet, sorted
 * @param inProgressRows what each of {@link #inProgress} has stored, in the same order
 * @param skipped one message per run that could not be read, naming the file and the reason
 */
public record StoredResults(
        Path directory,
        List<StoredRun> runs,
        List<Path> inProgress,
        List<InProgressRow> inProgressRows,
        List<String> skipped) {

    private static final String SEE_README = " (README, \"The report\")";

    /** Copies the lists. */
    public StoredResults {
        runs = List.copyOf(runs);
        inProgress = List.copyOf(inProgress);
        inProgressRows = List.copyOf(inProgressRows);
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
     * Reads every run under {@code directory}. A run whose files cannot be parsed, hold a value no run
     * can have, or exceed {@link ReportLimits} is skipped and reported to {@code warnings}, so one bad
     * file never hides the rest of a study.
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
            String line = printable(message);
            skipped.add(line);
            warnings.accept(line);
        };
        walk(directory, runDirs, epochDirs, skip);
        epochDirs.removeAll(runDirs);

        List<Path> toRead = new ArrayList<>(runDirs);
        toRead.addAll(epochDirs);
        if (toRead.size() > ReportLimits.MAX_RUNS) {
            skip.accept("skipping " + (toRead.size() - ReportLimits.MAX_RUNS) + " of the " + toRead.size()
                    + " runs under '" + directory + "': a report shows at most " + ReportLimits.MAX_RUNS
                    + " runs" + SEE_README + "; report on one suite's folder at a time");
            toRead = toRead.subList(0, ReportLimits.MAX_RUNS);
        }

        Budget budget = new Budget();
        List<StoredRun> runs = new ArrayList<>();
        List<Path> inProgress = new ArrayList<>();
        List<InProgressRow> inProgressRows = new ArrayList<>();
        for (int i = 0; i < toRead.size(); i++) {
            Path dir = toRead.get(i);
            try {
                if (runDirs.contains(dir)) {
                    runs.add(readRun(dir, budget));
                } else {
                    inProgressRows.add(inProgressRow(directory, dir, budget));
                    inProgress.add(dir);
                }
            } catch (BudgetSpent e) {
                skip.accept("skipping " + (toRead.size() - i) + " of the " + toRead.size() + " runs under '"
                        + directory + "' from '" + dir + "' on: a report reads at most "
                        + ReportLimits.mebibytes(ReportLimits.MAX_TOTAL_BYTES) + " of run files in all" + SEE_README
                        + "; report on one suite's folder at a time");
                break;
            } catch (IOException | RuntimeException e) {
                // Jackson wraps failures of the records' own checks, but a NullPointerException from
                // a compact constructor can still surface unwrapped; either way it is this run's problem.
                skip.accept("skipping run '" + dir + "': " + firstLine(e));
            }
        }
        runs.sort(StoredRun.REPORT_ORDER);
        return new StoredResults(directory, runs, inProgress, inProgressRows, skipped);
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

    private static StoredRun readRun(Path dir, Budget budget) throws IOException {
        byte[] json = budget.read(dir.resolve(RUN_FILE), ReportLimits.MAX_RUN_FILE_BYTES);
        // A newer lowbit's run is skipped with a warning that says so, never misread.
        StoreJson.requireKnownVersion(Json.MAPPER, json, dir.resolve(RUN_FILE), RunRecord.SCHEMA_VERSION);
        RunRecord run = Json.MAPPER.readValue(json, RunRecord.class);
        requirePresent(run);
        StoredValues.check(run);
        Path epochs = dir.resolve(EPOCHS_FILE);
        // A run can fail before its first epoch.
        return new StoredRun(
                run, Files.exists(epochs, LinkOption.NOFOLLOW_LINKS) ? readEpochs(epochs, budget) : List.of());
    }

    /** Absent fields deserialize to null; the report would fail on them later, far from the cause. */
    private static void requirePresent(RunRecord run) throws IOException {
        if (run == null) {
            throw new IOException(RUN_FILE + " is empty");
        }
        String missing = run.runId() == null
                ? "runId"
                : run.status() == null
                        ? "status"
                        : run.config() == null
                                ? "config"
                                : run.config().architecture() == null
                                        ? "config.architecture"
                                        : run.config().quantizer() == null
                                                ? "config.quantizer" // the spec names the run everywhere
                                                : run.config().recipe() == null
                                                        ? "config.recipe"
                                                        : run.quantizer() == null
                                                                ? "quantizer"
                                                                : run.quantizer()
                                                                                        .id()
                                                                                == null
                                                                        ? "quantizer.id"
                                                                        : run.memory() == null
                                                                                        && run.status()
                                                                                                == RunStatus.FINISHED
                                                                                ? "memory"
                                                                                : null;
        if (missing != null) {
            throw new IOException(RUN_FILE + " has no '" + missing + "'");
        }
    }

    /** The epochs of {@code file}, one JSON object per line; blank lines are ignored. */
    private static List<EpochRecord> readEpochs(Path file, Budget budget) throws IOException {
        byte[] bytes = budget.read(file, ReportLimits.MAX_EPOCHS_FILE_BYTES);
        List<EpochRecord> epochs = new ArrayList<>();
        int line = 0;
        for (int start = 0; start < bytes.length; ) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            line++;
            if (!blank(bytes, start, end)) {
                if (epochs.size() == ReportLimits.MAX_EPOCHS) {
                    throw new IOException(EPOCHS_FILE + " holds more than " + ReportLimits.MAX_EPOCHS
                            + " epochs, the most a report draws for one run" + SEE_README);
                }
                EpochRecord epoch;
                try {
                    epoch = Json.MAPPER.readValue(bytes, start, end - start, EpochRecord.class);
                } catch (IOException e) {
                    throw new IOException(EPOCHS_FILE + " line " + line + ": " + firstLine(e), e);
                }
                if (epoch == null) {
                    throw new IOException(EPOCHS_FILE + " line " + line + ": null is not an epoch");
                }
                StoredValues.check(epoch, line);
                epochs.add(epoch);
            }
            start = end + 1;
        }
        return epochs;
    }

    private static boolean blank(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            if (bytes[i] != ' ' && bytes[i] != '\t' && bytes[i] != '\r') {
                return false;
            }
        }
        return true;
    }

    /**
     * What an unfinished run has stored: its config when it wrote one and its epochs so far. Its
     * files are being written while we read, so anything unreadable is shown as unknown, not fatal;
     * only the overall read budget running out stops the reading.
     */
    private static InProgressRow inProgressRow(Path directory, Path dir, Budget budget)
            throws BudgetSpent, StoreJson.NewerVersionException {
        Optional<RunConfig> config = Optional.empty();
        try {
            if (Files.exists(dir.resolve(CONFIG_FILE), LinkOption.NOFOLLOW_LINKS)) {
                byte[] json = budget.read(dir.resolve(CONFIG_FILE), ReportLimits.MAX_RUN_FILE_BYTES);
                StoreJson.requireKnownVersion(Json.MAPPER, json, dir.resolve(CONFIG_FILE), RunConfig.SCHEMA_VERSION);
                RunConfig read = Json.MAPPER.readValue(json, RunConfig.class);
                if (read != null && read.recipe() != null) {
                    StoredValues.check(read);
                    config = Optional.of(read);
                }
            }
        } catch (BudgetSpent | StoreJson.NewerVersionException e) {
            throw e; // a newer lowbit's run is skipped with a warning that says so
        } catch (IOException | RuntimeException e) {
            // a config.json caught half-written: the row shows the folder alone
        }
        List<EpochRecord> epochs = List.of();
        try {
            if (Files.exists(dir.resolve(EPOCHS_FILE), LinkOption.NOFOLLOW_LINKS)) {
                epochs = readEpochs(dir.resolve(EPOCHS_FILE), budget);
            }
        } catch (BudgetSpent e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            // the last line may be half-appended
        }
        Path relative = directory
                .toAbsolutePath()
                .normalize()
                .relativize(dir.toAbsolutePath().normalize());
        return InProgressRow.of(relative.toString(), config, epochs);
    }

    /** The most characters of one warning: a crafted name must not flood a terminal or the page. */
    private static final int MAX_WARNING_LENGTH = 1_000;

    /**
     * A warning as one printable line. Folder names, tensor names and Jackson's excerpts in it come from
     * the results folder; a line break would forge further warnings, a terminal control sequence would
     * be obeyed by the user's terminal, and a bidirectional override would reorder what they read. Each
     * such character is written as its {@code \\uXXXX} escape.
     */
    static String printable(String message) {
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < message.length() && line.length() < MAX_WARNING_LENGTH; i++) {
            char c = message.charAt(i);
            boolean invisible = Character.isISOControl(c)
                    || (c >= '\u2028' && c <= '\u202e')
                    || (c >= '\u2066' && c <= '\u2069')
                    || c == '\u200e'
                    || c == '\u200f'
                    || c == '\u061c';
            if (invisible) {
                line.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            } else {
                line.append(c);
            }
        }
        return line.length() < MAX_WARNING_LENGTH ? line.toString() : line + "...";
    }

    /** Jackson's messages run on with source excerpts; the first line says what went wrong. */
    private static String firstLine(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int newline = message.indexOf('\n');
        return newline < 0 ? message : message.substring(0, newline);
    }

    /** The bytes one report may still read; every file goes through {@link #read}. */
    private static final class Budget {

        private long left = ReportLimits.MAX_TOTAL_BYTES;

        /**
         * The whole of {@code file}, which must be a regular file (not a link, a device or a pipe) of at
         * most {@code limit} bytes, checked before anything is read and again while reading, since a
         * file may grow in between.
         *
         * @throws BudgetSpent if the file would take the report beyond {@link ReportLimits#MAX_TOTAL_BYTES}
         * @throws IOException if the file is not one to read, too large, or unreadable
         */
        byte[] read(Path file, long limit) throws IOException {
            String name = file.getFileName().toString();
            BasicFileAttributes attributes;
            try {
                attributes = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                throw new IOException(name + " disappeared while the report was read", e);
            }
            if (attributes.isSymbolicLink()) {
                throw new IOException(name + " is a symbolic link; the report reads only files inside the results"
                        + " folder, so copy the file itself there");
            }
            if (!attributes.isRegularFile()) {
                throw new IOException(name + " is not a regular file");
            }
            if (attributes.size() > limit) {
                throw tooLarge(name, attributes.size(), limit);
            }
            if (attributes.size() > left) {
                throw new BudgetSpent();
            }
            byte[] bytes;
            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                bytes = in.readNBytes((int) Math.min(limit, left) + 1);
            }
            if (bytes.length > limit) {
                throw tooLarge(name, bytes.length, limit);
            }
            if (bytes.length > left) {
                throw new BudgetSpent();
            }
            left -= bytes.length;
            return bytes;
        }

        private static IOException tooLarge(String name, long size, long limit) {
            return new IOException(name + " is " + String.format(Locale.ROOT, "%,d", size) + " bytes, more than the "
                    + ReportLimits.mebibytes(limit) + " a report reads for one run" + SEE_README);
        }
    }

    /** The overall read budget is spent: no further run is read. */
    private static final class BudgetSpent extends IOException {

        BudgetSpent() {
            super("the report's read budget is spent");
        }
    }
}
