package dev.lowbit.harness.cli;

import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.plan.GridRunner;
import dev.lowbit.harness.plan.GridRunner.Outcome;
import dev.lowbit.harness.store.RunIds;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The coordinator of {@code lowbit run --workers N}: N lowbit processes train the plan at once, sharing its runs
 * through the result store's run locks exactly as separately started workers do (DJL allows one gradient tape per
 * process and PyTorch's thread pool is per process, so they cannot be threads). It starts no engine itself: it
 * starts the workers with the same arguments and their share of the threads, relays their lines to its error
 * stream as {@code [worker I] ...}, merges what each reports into one summary, fills in parity over the whole plan
 * and writes the report once. Stopping it (Ctrl-C, {@code kill}) stops the workers; even {@code kill -9} does,
 * as each worker ends when its standard input, a pipe from here, closes.
 */
final class RunWorkers {

    /** How long stopped workers get to end before they are killed. */
    private static final long STOP_GRACE_SECONDS = 10;

    private final PrintWriter out;
    private final PrintWriter err;
    private final Object errLock = new Object();

    RunWorkers(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
    }

    /** A started worker. */
    private record Worker(int index, Process process, Thread relay, Path report) {}

    /** The plan to train, and where its results and report go. */
    record Grid(List<RunConfig> plan, List<RunConfig> pending, RunCommand.Target target, double parityTolerance) {}

    /**
     * Trains {@code grid}'s pending runs in {@code split.count()} workers, then prints the summary and the report
     * as {@code lowbit run} does; everything the user gave was checked before this.
     *
     * @param arguments the command line of this {@code lowbit run}, which each worker repeats
     * @return the exit code: 2 when a worker met bad input (said once), 1 when a run failed or a worker died and left
     *     a run unfinished
     */
    int run(List<String> arguments, WorkerPlan split, Grid grid) {
        Path folder;
        try {
            folder = Files.createTempDirectory("lowbit-workers-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make a folder for the workers' summaries", e);
        }
        List<Worker> workers = new CopyOnWriteArrayList<>(); // the shutdown hook reads it from another thread
        Thread stopper = new Thread(
                () -> {
                    stop(workers);
                    deleteQuietly(folder);
                },
                "lowbit-workers-stop");
        Runtime.getRuntime().addShutdownHook(stopper);
        try {
            for (int index = 1; index <= split.count(); index++) {
                Path report = WorkerReport.fileFor(folder, index);
                List<String> command = LowbitProcesses.command(workerArguments(
                        arguments, index, split.count(), split.threads().get(index - 1), report));
                Process process;
                try {
                    // stdin stays a pipe that is never written: the worker ends when it closes (see WorkerReport).
                    process = new ProcessBuilder(command)
                            .redirectErrorStream(true)
                            .start();
                } catch (IOException e) {
                    stop(workers);
                    err.println(
                            "lowbit: cannot start worker " + index + " of " + split.count() + ": " + e.getMessage());
                    return Main.FAILED;
                }
                workers.add(new Worker(index, process, relay(index, process), report));
            }
            for (Worker worker : workers) {
                worker.process().waitFor();
                worker.relay().join();
            }
            return finish(workers, split.count(), grid);
        } catch (InterruptedException e) {
            stop(workers);
            Thread.currentThread().interrupt();
            err.println("lowbit: interrupted; the workers were stopped, and the next 'lowbit run' continues their"
                    + " runs.");
            return Main.FAILED;
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopper);
            } catch (IllegalStateException e) {
                // Shutting down: the hook runs, and that is what it is for.
            }
            workers.forEach(worker -> closeQuietly(worker.process()));
            deleteQuietly(folder);
        }
    }

    /** Merges the workers' reports, then parity, the summary line and the report, once for the whole plan. */
    private int finish(List<Worker> workers, int count, Grid grid) {
        Set<String> badInput = new LinkedHashSet<>();
        Map<String, Outcome> outcomes = new TreeMap<>();
        Set<String> interrupted = new LinkedHashSet<>();
        Map<Worker, String> deaths = new LinkedHashMap<>(); // each dead worker and the run it was training, or null
        for (Worker worker : workers) {
            WorkerReport.Content report = WorkerReport.read(worker.report());
            report.outcomes().forEach((runId, outcome) -> outcomes.merge(runId, outcome, RunWorkers::moreFinal));
            int exit = worker.process().exitValue();
            if (exit == Main.BAD_INPUT) {
                badInput.add(
                        report.badInput() != null
                                ? report.badInput()
                                : "worker " + worker.index() + " of " + count
                                        + " stopped at bad input; its lines above say" + " why.");
            } else if (exit != 0 && exit != Main.FAILED) {
                if (report.training() != null) {
                    interrupted.add(report.training());
                }
                deaths.put(worker, report.training());
            }
        }
        if (!badInput.isEmpty()) {
            badInput.forEach(message -> err.println("lowbit: " + message));
            err.flush();
            return Main.BAD_INPUT;
        }
        // After all workers ended: whether another worker took over a dead one's run is known only now.
        deaths.forEach((worker, training) -> err.println(death(worker, count, training, outcomes)));
        GridRunner.fillParity(grid.plan(), grid.target().store(), grid.parityTolerance(), err);
        int exit = RunCommand.finish(out, err, grid.target(), summary(grid, outcomes, interrupted));
        // A dead worker is an error only when it leaves the grid unfinished (its siblings take on every run it
        // had not reached, and may have taken over the one it was training).
        boolean leftUndone = grid.pending().stream()
                .map(RunIds::of)
                .anyMatch(runId -> outcomes.get(runId) == null
                        || (outcomes.get(runId) == Outcome.BUSY && interrupted.contains(runId)));
        return !deaths.isEmpty() && leftUndone ? Math.max(exit, Main.FAILED) : exit;
    }

    /**
     * The summary as one process would count it: runs finished before this invocation are skipped, a run some
     * worker trained is trained (or diverged, or failed), and a run that every worker found locked is held by a
     * worker outside this invocation, unless it was a dead worker of ours that held it (counted nowhere: it is
     * neither done nor someone else's).
     */
    static GridRunner.Summary summary(Grid grid, Map<String, Outcome> outcomes, Set<String> interrupted) {
        int trained = 0;
        int skipped = grid.plan().size() - grid.pending().size();
        int busy = 0;
        int diverged = 0;
        int failed = 0;
        for (RunConfig run : grid.pending()) {
            String runId = RunIds.of(run);
            Outcome outcome = outcomes.get(runId);
            if (outcome == null) {
                continue; // no worker got to it
            }
            switch (outcome) {
                case TRAINED -> trained++;
                case SKIPPED -> skipped++; // finished by someone else meanwhile
                case BUSY -> busy += interrupted.contains(runId) ? 0 : 1;
                case DIVERGED -> diverged++;
                case FAILED -> failed++;
            }
        }
        return new GridRunner.Summary(trained, skipped, busy, diverged, failed);
    }

    /**
     * Of two workers' outcomes for one run, the one that says more: a run one worker found locked was trained by
     * another, and a FAILED run is the only result a second worker trains again.
     */
    private static Outcome moreFinal(Outcome a, Outcome b) {
        List<Outcome> rank = List.of(Outcome.BUSY, Outcome.SKIPPED, Outcome.FAILED, Outcome.DIVERGED, Outcome.TRAINED);
        return rank.indexOf(a) >= rank.indexOf(b) ? a : b;
    }

    /** One line: which worker died, how, in which run, and what becomes of that run. */
    private static String death(Worker worker, int count, String training, Map<String, Outcome> outcomes) {
        int exit = worker.process().exitValue();
        String how = exit > 128 ? "killed by signal " + (exit - 128) : "exit code " + exit;
        Outcome takenOver = training == null ? null : outcomes.get(training);
        String after = training == null
                ? " between runs"
                : takenOver == null || takenOver == Outcome.BUSY
                        ? " while training " + training + "; the next 'lowbit run' continues it from its checkpoint"
                        : " while training " + training + ", which another worker then took over";
        return "lowbit: worker " + worker.index() + " of " + count + " ended unexpectedly (" + how + ")" + after
                + ", and the other workers went on.";
    }

    /**
     * The worker's command line: the same arguments, with {@code --workers} and {@code --threads} (either form)
     * replaced by one worker and its threads, and the hidden options that make it a worker.
     */
    static List<String> workerArguments(List<String> arguments, int index, int count, int threads, Path report) {
        List<String> kept = new ArrayList<>();
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("--workers") || argument.equals("--threads")) {
                i++; // and its value
            } else if (!argument.startsWith("--workers=") && !argument.startsWith("--threads=")) {
                kept.add(argument);
            }
        }
        kept.addAll(List.of(
                "--workers",
                "1",
                "--threads",
                String.valueOf(threads),
                "--worker",
                index + "/" + count,
                "--worker-summary",
                report.toString()));
        return kept;
    }

    /** Copies the worker's lines to the error stream as they come, each whole, as {@code [worker I] line}. */
    private Thread relay(int index, Process process) {
        Thread relay = new Thread(
                () -> {
                    try (BufferedReader lines = process.inputReader()) {
                        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                            synchronized (errLock) {
                                err.println("[worker " + index + "] " + line);
                                err.flush();
                            }
                        }
                    } catch (IOException e) {
                        // Its output ended with it.
                    }
                },
                "lowbit-worker-" + index + "-output");
        relay.setDaemon(true);
        relay.start();
        return relay;
    }

    /** Stops the workers still running: asked first, killed after the grace period. Their checkpoints are safe. */
    private static void stop(List<Worker> workers) {
        workers.forEach(worker -> worker.process().destroy());
        for (Worker worker : workers) {
            try {
                if (!worker.process().waitFor(STOP_GRACE_SECONDS, TimeUnit.SECONDS)) {
                    worker.process().destroyForcibly();
                }
            } catch (InterruptedException e) {
                worker.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // It has ended; nothing to release.
        }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder())
                    .forEach(file -> file.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A temporary folder left behind is harmless.
        }
    }
}
