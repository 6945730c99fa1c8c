package dev.lowbit.harness.report;

import static dev.lowbit.harness.cli.CliTest.lowbit;

import dev.lowbit.harness.cli.CliTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Real stored runs for the tests that read results (the report in a browser, cross-checks): a small
 * grid trained once per test JVM by {@code lowbit run} on the real Fashion-MNIST, into
 * {@code target/real-results}.
 *
 * <p>The grid: fcnn-small and fcnn-large x fp32, binary, ternary and quinary x seeds 1 and 2, 2 epochs
 * on the first 1,200 training images (16 runs, under the {@code quick} suite's folder; both sizes of one
 * family, so the small/large finding can be judged). Tests share
 * it and must only read it. A folder left by an earlier build is reused: lowbit skips finished runs,
 * so only missing ones are trained ({@code mvn clean} starts afresh).
 */
public final class RealResults {

    /** The {@code lowbit run} arguments of the grid, without {@code --out}. */
    public static final List<String> GRID = List.of(
            "run",
            "--arch",
            "fcnn-small,fcnn-large",
            "--quantizer",
            "fp32,binary,ternary,quinary",
            "--seeds",
            "1,2",
            "--epochs",
            "2",
            "--train-limit",
            "1200");

    /** How many runs the grid has: 2 architectures x 4 quantizers x 2 seeds. */
    public static final int RUNS = 16;

    private static Path directory;
    private static String failure;

    private RealResults() {}

    /**
     * The results folder holding the grid's finished runs (each in {@code quick/<run-id>/}), trained
     * on the first call in this JVM; later calls return at once.
     *
     * @throws IllegalStateException if lowbit fails (e.g. Fashion-MNIST is not installed), with its errors
     */
    public static synchronized Path directory() {
        if (failure != null) {
            // Train once: a second class asking gets the same answer, not another attempt.
            throw new IllegalStateException(failure);
        }
        if (directory == null) {
            Path out = Path.of("target", "real-results").toAbsolutePath();
            String[] args = Stream.concat(GRID.stream(), Stream.of("--out", out.toString()))
                    .toArray(String[]::new);
            long start = System.nanoTime();
            CliTest.Result result = lowbit(args);
            if (result.exitCode() != 0) {
                failure = "lowbit " + String.join(" ", args) + " exited " + result.exitCode()
                        + " (Fashion-MNIST comes from apt-get install dataset-fashion-mnist):\n" + result.err();
                throw new IllegalStateException(failure);
            }
            long finished = runFiles(out).size();
            if (finished != RUNS) {
                failure = "Expected " + RUNS + " finished runs under " + out + ", found " + finished + ":\n"
                        + result.out();
                throw new IllegalStateException(failure);
            }
            System.out.printf(
                    "RealResults: %d runs ready in %s after %.1f s%n", RUNS, out, (System.nanoTime() - start) / 1e9);
            directory = out;
        }
        return directory;
    }

    /** Every {@code run.json} under {@code results}, sorted: one per finished (or failed) run. */
    public static List<Path> runFiles(Path results) {
        try (Stream<Path> files = Files.walk(results)) {
            return files.filter(p -> p.getFileName().toString().equals("run.json"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
