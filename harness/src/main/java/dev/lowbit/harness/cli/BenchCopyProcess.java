package dev.lowbit.harness.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One copy of {@code lowbit bench training} as its coordinator ({@link BenchCopies}) sees it: a child process
 * whose protocol lines ({@link BenchCopy}) arrive as messages, whose other lines are relayed as progress with the
 * copy's name in front, and whose last error lines are kept to explain a failure.
 */
final class BenchCopyProcess implements AutoCloseable {

    /** A protocol line: its kind ({@link BenchCopy#READY}, {@link BenchCopy#RESULT}) and the rest of the line. */
    record Message(String kind, String payload) {

        /**
         * Stands for the end of the copy's stdout: the copy has stopped, or is stopping. Its kind has a space,
         * which no kind read from a line has (a line's kind ends at its first space), so it equals no message.
         */
        static final Message ENDED = new Message("end of output", "");
    }

    /** Error lines kept for the failure message. */
    private static final int KEPT_ERRORS = 3;
    /**
     * How long a copy whose stdin was closed gets to stop by itself (a copy past its start halts at once; one still
     * starting does not read stdin yet), then to die when destroyed.
     */
    private static final long GRACE_SECONDS = 2;

    private final String name;
    private final Process process;
    private final PrintWriter commands;
    private final BlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final Deque<String> lastErrors = new ArrayDeque<>();
    private final List<Thread> readers;

    private BenchCopyProcess(String name, Process process, PrintWriter relay) {
        this.name = name;
        this.process = process;
        this.commands =
                new PrintWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8), true);
        this.readers = List.of(
                reader(process.getInputStream(), "out", line -> readOutput(line, relay)),
                reader(process.getErrorStream(), "err", line -> readError(line, relay)));
    }

    /**
     * Starts {@code command} as the copy called {@code name} (e.g. {@code copy 2/3}), relaying its progress to
     * {@code relay}.
     */
    static BenchCopyProcess start(String name, List<String> command, PrintWriter relay) throws IOException {
        return new BenchCopyProcess(name, new ProcessBuilder(command).start(), relay);
    }

    /** E.g. {@code copy 2/3}. */
    String name() {
        return name;
    }

    /** The copy's next protocol message, waiting for it; {@link Message#ENDED} once its output has ended. */
    Message next() throws InterruptedException {
        Message message = messages.take();
        if (Message.ENDED.equals(message)) {
            messages.add(message); // every later call sees the end too
        }
        return message;
    }

    /** Writes {@code command} as a line on the copy's stdin (a copy that has stopped no longer reads it). */
    void send(String command) {
        commands.println(command);
    }

    /** Waits up to {@code seconds} for the copy to exit; its exit code, or null if it is still running. */
    Integer awaitExit(long seconds) throws InterruptedException {
        return process.waitFor(seconds, TimeUnit.SECONDS) ? process.exitValue() : null;
    }

    /**
     * Why the copy stopped, for one line: its exit code (waiting a little for it) and its last error lines.
     */
    String stopped() throws InterruptedException {
        Integer code = awaitExit(GRACE_SECONDS);
        for (Thread reader : readers) {
            reader.join(TimeUnit.SECONDS.toMillis(1)); // its last error lines may still be on their way
        }
        String errors;
        synchronized (lastErrors) {
            errors = lastErrors.isEmpty() ? "no error output" : "its last errors: " + String.join(" | ", lastErrors);
        }
        String why =
                "[" + name + "] " + (code == null ? "closed its output" : "exited with code " + code) + "; " + errors;
        return why.endsWith(".") ? why : why + ".";
    }

    /** Closes the copy's stdin: a copy that still runs stops by itself. */
    void closeInput() {
        commands.close();
    }

    /**
     * Stops the copy if it still runs: closes its stdin, then destroys it if it has not exited after a grace
     * period, so no copy trains on after its coordinator is done.
     */
    @Override
    public void close() {
        closeInput();
        try {
            if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                process.destroy();
                if (!process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS)) {
                    kill();
                    process.waitFor(GRACE_SECONDS, TimeUnit.SECONDS);
                }
            }
            for (Thread reader : readers) {
                reader.join(TimeUnit.SECONDS.toMillis(1));
            }
        } catch (InterruptedException e) {
            kill();
            Thread.currentThread().interrupt();
        }
    }

    /** Kills the copy and anything it started, at once (when the coordinator itself is being stopped). */
    void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private void readOutput(String line, PrintWriter relay) {
        if (line.startsWith(BenchCopy.PREFIX)) {
            String message = line.substring(BenchCopy.PREFIX.length());
            int space = message.indexOf(' ');
            messages.add(
                    space < 0
                            ? new Message(message, "")
                            : new Message(message.substring(0, space), message.substring(space + 1)));
        } else {
            relay(line, relay);
        }
    }

    private void readError(String line, PrintWriter relay) {
        relay(line, relay);
        // A stack trace's frames say less than the lines above them: keep the messages.
        String trimmed = line.strip();
        if (!trimmed.isEmpty()
                && !trimmed.startsWith("at ")
                && !(trimmed.startsWith("...") && trimmed.endsWith("more"))) {
            synchronized (lastErrors) {
                lastErrors.addLast(trimmed);
                while (lastErrors.size() > KEPT_ERRORS) {
                    lastErrors.removeFirst();
                }
            }
        }
    }

    private void relay(String line, PrintWriter relay) {
        synchronized (relay) {
            relay.println("[" + name + "] " + line);
            relay.flush();
        }
    }

    private Thread reader(InputStream stream, String which, Consumer<String> lines) {
        Thread thread = new Thread(
                () -> {
                    try (BufferedReader reader =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                            lines.accept(line);
                        }
                    } catch (IOException e) {
                        // The copy was destroyed while we read: its output has ended.
                    } finally {
                        if (which.equals("out")) {
                            messages.add(Message.ENDED);
                        }
                    }
                },
                "lowbit " + name + " " + which);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }
}
