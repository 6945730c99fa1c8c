package dev.lowbit.harness.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plan.GridRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a worker of {@code lowbit run --workers N} did, in a JSON file the coordinator named (hidden
 * {@code --worker-summary}): each run's outcome, the run it is training now, and the bad input that stopped it.
 * It is rewritten (atomically) after every run, so a worker that is killed still tells what it finished and what
 * it was in the middle of.
 */
final class WorkerReport implements GridRunner.Listener {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern FORM = Pattern.compile("([0-9]{1,4})/([0-9]{1,4})");

    /**
     * The file's content.
     *
     * @param outcomes what became of each run the worker looked at, by run id, in its order
     * @param training the run it holds the lock of and trains now, or null
     * @param badInput the message of the bad input that stopped it, or null
     */
    record Content(Map<String, GridRunner.Outcome> outcomes, String training, String badInput) {

        static final Content EMPTY = new Content(Map.of(), null, null);

        Content {
            outcomes = outcomes == null ? Map.of() : outcomes;
        }
    }

    private final String worker;
    private final Path file;
    private final Map<String, GridRunner.Outcome> outcomes = new LinkedHashMap<>();
    private String training;
    private String badInput;

    private WorkerReport(String worker, Path file) {
        this.worker = worker;
        this.file = file;
    }

    /**
     * This process as worker {@code I/N}: it reports to {@code file} and ends as soon as the process that started
     * it does.
     */
    static WorkerReport start(String worker, Path file) {
        Matcher form = FORM.matcher(worker);
        if (!form.matches()
                || Integer.parseInt(form.group(1)) < 1
                || Integer.parseInt(form.group(1)) > Integer.parseInt(form.group(2))) {
            throw new BadInputException(
                    "Invalid --worker '" + worker + "': it is I/N, for 'lowbit run --workers N'" + " only.");
        }
        if (file == null) {
            throw new BadInputException(
                    "--worker needs --worker-summary FILE; both are for 'lowbit run --workers N'" + " only.");
        }
        endWithCoordinator(file);
        WorkerReport report = new WorkerReport(worker, file);
        report.write();
        return report;
    }

    /** {@code I/N}, as recorded in each run's provenance ({@code worker}). */
    String worker() {
        return worker;
    }

    @Override
    public synchronized void training(String runId) {
        training = runId;
        write();
    }

    @Override
    public synchronized void ended(String runId, GridRunner.Outcome outcome) {
        outcomes.put(runId, outcome);
        training = null;
        write();
    }

    /** The coordinator says it once for all its workers, which all read the same input. */
    synchronized void badInput(String message) {
        badInput = message;
        write();
    }

    /** What a worker wrote, or nothing when it wrote nothing readable (it died before its first word). */
    static Content read(Path file) {
        try {
            return Files.exists(file) ? JSON.readValue(file.toFile(), Content.class) : Content.EMPTY;
        } catch (IOException e) {
            return Content.EMPTY;
        }
    }

    private void write() {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            JSON.writeValue(temporary.toFile(), new Content(new LinkedHashMap<>(outcomes), training, badInput));
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the worker summary '" + file + "'", e);
        }
    }

    /**
     * A worker's standard input is a pipe from the coordinator, which never writes to it: when it reads end of
     * file, the coordinator is gone (even killed with {@code kill -9}, which runs no shutdown hook), and so is this
     * worker, at once. Its run's lock goes with it; its checkpoint is safe ({@code kill -9}-safe by design). Nobody
     * reads its report any more: it removes it, and the coordinator's folder with the last one.
     */
    private static void endWithCoordinator(Path file) {
        Thread watch = new Thread(
                () -> {
                    try {
                        while (System.in.read() >= 0) {
                            // nothing is ever sent
                        }
                    } catch (IOException e) {
                        // the pipe broke: the coordinator is gone all the same
                    }
                    try {
                        Files.deleteIfExists(file);
                        Files.deleteIfExists(file.resolveSibling(file.getFileName() + ".tmp"));
                        Files.deleteIfExists(
                                file.toAbsolutePath().getParent()); // fails while another worker's is there
                    } catch (IOException | RuntimeException e) {
                        // a file left in the temporary folder is harmless
                    }
                    Runtime.getRuntime().halt(Main.FAILED);
                },
                "lowbit-worker-ends-with-coordinator");
        watch.setDaemon(true);
        watch.start();
    }

    /** For the coordinator: an unused report file in {@code folder} for worker {@code index}. */
    static Path fileFor(Path folder, int index) {
        return folder.resolve("worker-" + index + ".json");
    }
}
