package dev.lowbit.harness.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@code lowbit bench training --beside N}: the coordinator, which trains nothing itself. It runs the benchmark
 * as one copy alone, then as N + 1 copies at once, each a separate process ({@link BenchCopyProcess}), and
 * paces them per architecture so that every copy's timed windows run while all the copies train: it waits
 * until every copy has warmed up its models, tells all to time, waits for every copy's timings, then tells all
 * to stop (until then, a copy that finished early keeps training untimed). No copy outlives the coordinator:
 * each is stopped when its phase ends, fails or the coordinator is stopped.
 */
final class BenchCopies {

    /** One copy's timings: its name, its engine threads, and its JSON per architecture, in the order measured. */
    record CopyTimings(String name, int threads, List<JsonNode> architectures) {}

    /** The two phases: one copy alone, then N + 1 at once. */
    record Timings(CopyTimings alone, List<CopyTimings> together) {}

    /** A copy failed; the message says which, how, and its last error lines. */
    static final class CopyFailedException extends Exception {
        CopyFailedException(String message) {
            super(message);
        }
    }

    /** How long copies get to exit after their last {@code STOP} before they are destroyed. */
    private static final long EXIT_SECONDS = 60;

    private final List<String> command;
    private final int architectures;
    private final PrintWriter err;
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<BenchCopyProcess> running = new CopyOnWriteArrayList<>();

    /**
     * @param command the command line of one copy ({@code lowbit bench training ... --copy} in a new JVM)
     * @param architectures how many architectures each copy measures
     * @param err where the copies' progress is relayed
     */
    BenchCopies(List<String> command, int architectures, PrintWriter err) {
        this.command = List.copyOf(command);
        this.architectures = architectures;
        this.err = err;
    }

    /** Runs the copy alone, then {@code beside} + 1 copies at once; their timings. */
    Timings measure(int beside) throws CopyFailedException, InterruptedException {
        // Ctrl-C stops the coordinator's JVM without running its finally blocks: the hook stops the copies then.
        Thread hook = new Thread(() -> running.forEach(BenchCopyProcess::kill), "lowbit bench copies stopper");
        Runtime.getRuntime().addShutdownHook(hook);
        try {
            CopyTimings alone = phase(1).get(0);
            List<CopyTimings> together = phase(beside + 1);
            return new Timings(alone, together);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // The JVM is shutting down: the hook is running or has run.
            }
        }
    }

    private List<CopyTimings> phase(int count) throws CopyFailedException, InterruptedException {
        List<BenchCopyProcess> copies = new ArrayList<>();
        try {
            for (int i = 1; i <= count; i++) {
                String name = count == 1 ? "alone" : "copy " + i + "/" + count;
                BenchCopyProcess copy;
                try {
                    copy = BenchCopyProcess.start(name, command, err);
                } catch (IOException e) {
                    throw new CopyFailedException("[" + name + "] could not start: " + e.getMessage());
                }
                copies.add(copy);
                running.add(copy);
            }
            List<List<JsonNode>> results = new ArrayList<>();
            copies.forEach(copy -> results.add(new ArrayList<>()));
            for (int a = 0; a < architectures; a++) {
                String which = "architecture " + (a + 1) + "/" + architectures;
                for (BenchCopyProcess copy : copies) {
                    await(copy, BenchCopy.READY, which);
                }
                copies.forEach(copy -> copy.send(BenchCopy.GO));
                for (int i = 0; i < count; i++) {
                    results.get(i).add(result(copies.get(i), await(copies.get(i), BenchCopy.RESULT, which)));
                }
                copies.forEach(copy -> copy.send(BenchCopy.STOP));
            }
            for (BenchCopyProcess copy : copies) {
                Integer code = copy.awaitExit(EXIT_SECONDS);
                if (code == null || code != 0) {
                    // Its timings are in: say so, keep them.
                    err.println("lowbit: warning: [" + copy.name() + "] "
                            + (code == null
                                    ? "was still running " + EXIT_SECONDS
                                            + " s after it was told to stop; destroying it."
                                    : "exited with code " + code + " after its timings."));
                    err.flush();
                }
            }
            List<CopyTimings> timings = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                timings.add(new CopyTimings(
                        copies.get(i).name(),
                        results.get(i).get(0).get("threads").asInt(),
                        results.get(i).stream()
                                .map(json -> json.get("architectures").get(0))
                                .toList()));
            }
            return timings;
        } finally {
            copies.forEach(BenchCopyProcess::closeInput); // all stop at once, then each is waited for
            for (BenchCopyProcess copy : copies) {
                copy.close();
                running.remove(copy);
            }
        }
    }

    private static String await(BenchCopyProcess copy, String kind, String which)
            throws CopyFailedException, InterruptedException {
        BenchCopyProcess.Message message = copy.next();
        String due = (kind.equals(BenchCopy.READY) ? "its warm-up" : "its timings") + " of " + which;
        if (BenchCopyProcess.Message.ENDED.equals(message)) {
            throw new CopyFailedException("A copy of the benchmark failed before " + due + ": " + copy.stopped());
        }
        if (!message.kind().equals(kind)) {
            throw new CopyFailedException(
                    "[" + copy.name() + "] sent " + message.kind() + " where " + kind + " was due (" + due + ").");
        }
        return message.payload();
    }

    private JsonNode result(BenchCopyProcess copy, String json) throws CopyFailedException {
        try {
            JsonNode node = mapper.readTree(json);
            if (node.path("architectures").size() != 1 || !node.has("threads")) {
                throw new CopyFailedException(
                        "[" + copy.name() + "] sent timings without one architecture and its" + " threads: " + json);
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new CopyFailedException(
                    "[" + copy.name() + "] sent timings that are not JSON: " + e.getOriginalMessage());
        }
    }
}
