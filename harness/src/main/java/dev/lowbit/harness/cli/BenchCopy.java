package dev.lowbit.harness.cli;

import dev.lowbit.harness.bench.TrainingBenchmark;
import dev.lowbit.harness.bench.TrainingBenchmark.ArchitectureTimings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;

/**
 * One copy of {@code lowbit bench training} that {@link BenchCopies} started ({@code --copy}, hidden), paced by
 * its coordinator through a line protocol so that every copy's timed windows run while all the copies train.
 * Per architecture, after the warm-up the copy writes {@code lowbit-copy READY ARCH} on stdout and waits for
 * {@code GO} on stdin; after its last timed window or epoch it writes {@code lowbit-copy RESULT JSON} (the
 * architecture's timings, one line) and keeps training untimed until {@code STOP}. When stdin ends the
 * coordinator is gone and nobody wants the result: the copy stops at once rather than train on as an orphan.
 */
final class BenchCopy implements TrainingBenchmark.Pacing {

    /** Starts every protocol line a copy writes; its other lines are progress. */
    static final String PREFIX = "lowbit-copy ";
    /** The copy's models are warmed up (followed by the architecture). */
    static final String READY = "READY";
    /** The copy's timings of one architecture (followed by one line of JSON). */
    static final String RESULT = "RESULT";
    /** From the coordinator: every copy is ready, time now. */
    static final String GO = "GO";
    /** From the coordinator: every copy has its result, stop training. */
    static final String STOP = "STOP";

    private final PrintWriter out;
    private final PrintWriter err;
    private final Function<ArchitectureTimings, String> json;
    private final BlockingQueue<String> commands = new LinkedBlockingQueue<>();

    /**
     * A copy that reads its commands from {@code in} (a daemon thread reads them as they come, so a {@code STOP}
     * is seen between two steps) and writes protocol lines to {@code out}.
     *
     * @param json one line of JSON for an architecture's timings
     */
    BenchCopy(InputStream in, PrintWriter out, PrintWriter err, Function<ArchitectureTimings, String> json) {
        this.out = out;
        this.err = err;
        this.json = json;
        Thread reader = new Thread(() -> readCommands(in), "lowbit copy commands");
        reader.setDaemon(true);
        reader.start();
    }

    @Override
    public void beforeTiming(String architecture) {
        send(READY + " " + architecture);
        expect(GO);
    }

    @Override
    public void timed(ArchitectureTimings timings) {
        send(RESULT + " " + json.apply(timings));
    }

    @Override
    public boolean keepTraining() {
        if (commands.isEmpty()) {
            return true;
        }
        expect(STOP);
        return false;
    }

    private void send(String line) {
        out.println(PREFIX + line);
        out.flush();
    }

    private void expect(String command) {
        String line;
        try {
            line = commands.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for " + command + " from the coordinator.", e);
        }
        if (!line.equals(command)) {
            throw new IllegalStateException("The coordinator sent '" + line + "' where " + command + " was due.");
        }
    }

    private void readCommands(InputStream in) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.isBlank()) {
                    commands.add(line.strip());
                }
            }
        } catch (IOException e) {
            // Read as the end of stdin: the coordinator cannot reach this copy any more.
        }
        err.println("lowbit: the coordinator of this copy is gone (its stdin closed); stopping.");
        err.flush();
        // The main thread may be deep in a training step; halting is the one way to stop it at once, and a copy
        // nobody listens to has nothing to save.
        Runtime.getRuntime().halt(Main.FAILED);
    }
}
