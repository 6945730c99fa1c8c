package dev.lowbit.harness.train;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * How lowbit sets up the PyTorch engine for training: the same for {@code lowbit run} and
 * {@code lowbit bench training}, applied before the engine starts.
 */
public final class EngineSettings {

    /** glibc's mallopt parameters (malloc.h). */
    private static final int M_TRIM_THRESHOLD = -1;

    private static final int M_TOP_PAD = -2;
    private static final int M_MMAP_THRESHOLD = -3;
    /** The largest mmap threshold glibc accepts on 64-bit (HEAP_MAX_SIZE / 2). */
    private static final int MMAP_THRESHOLD = 32 << 20;

    private static final int TRIM_THRESHOLD = 256 << 20;
    private static final int TOP_PAD = 64 << 20;

    /**
     * How long the engine's idle OpenMP threads wait before they sleep. PyTorch's CPU build uses libgomp,
     * whose threads spin for 300,000 rounds after every parallel region by default: fastest alone, but two
     * processes on the same cores then spin against each other's work (a vit-small step took 35x longer
     * beside a twin on 2 cores, 17x beside two). Measured side by side (vit-small, 2 threads, 2 cores):
     * OMP_WAIT_POLICY=PASSIVE (sleep at once) took 1.23-1.28x the alone time beside a twin and 2.3x beside two;
     * GOMP_SPINCOUNT=1000 or 100 took 1.7-2.1x and 3.3x, 10,000 took 5.2x, and PASSIVE was 7-12% slower
     * alone than those. PASSIVE holds throughput best where it matters (beside a neighbour, two copies did
     * 1.6x the work of one alone), and most of lowbit's training runs in the 1-thread workers of
     * {@code lowbit run --workers auto}, where no thread waits at all. The measurements:
     * docs/PERFORMANCE.md, "Many workers". Set only when the user set neither variable.
     */
    static final String WAIT_POLICY_VARIABLE = "OMP_WAIT_POLICY";

    static final String WAIT_POLICY_VALUE = "PASSIVE";

    /** The variables by which a user chooses the wait policy; when either is set, lowbit sets nothing. */
    private static final List<String> WAIT_POLICY_VARIABLES = List.of("OMP_WAIT_POLICY", "GOMP_SPINCOUNT");

    private EngineSettings() {}

    /**
     * Chooses the engine's threads ({@link EngineThreads#choose}) and applies them.
     *
     * @param threads {@code --threads}, or null to detect what this process may use
     * @return the threads used and where the number came from
     * @throws BadInputException when {@code threads} is below 1
     */
    public static EngineThreads apply(Integer threads) {
        return apply(EngineThreads.choose(threads));
    }

    /**
     * Sets the engine's thread counts and keeps freed native memory in the process. Must run before the
     * engine starts.
     *
     * @return {@code threads}
     */
    public static EngineThreads apply(EngineThreads threads) {
        // Read by the PyTorch engine when it starts, which is after this point.
        System.setProperty("ai.djl.pytorch.num_threads", String.valueOf(threads.count()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        keepFreedNativeMemory();
        waitPolicy();
        return threads;
    }

    /**
     * The OpenMP wait policy of the engine's threads, set on first use (by {@link #apply}, before the engine
     * starts), e.g. {@code OMP_WAIT_POLICY=PASSIVE (lowbit's default)} or {@code GOMP_SPINCOUNT=1000 (from the
     * environment)}.
     *
     * <p>The variable is set in the C environment, which libgomp reads when the engine's native library
     * loads; Java's own copy ({@link System#getenv}) does not change. A process started from here with
     * {@link ProcessBuilder} inherits the C environment as it is now, unless the builder's
     * {@code environment()} was changed (then Java's copy is passed, without it): either way a child lowbit
     * ends up with lowbit's default and says so.
     */
    public static String waitPolicy() {
        return WaitPolicy.IN_EFFECT;
    }

    /** Holds the wait policy, set once, the first time it is asked for. */
    private static final class WaitPolicy {
        static final String IN_EFFECT =
                waitPolicy(System.getenv(), EngineSettings::setenv, EngineSettings::openMpLoaded);
    }

    /**
     * The wait policy in effect, setting lowbit's when the environment has none.
     *
     * @param environment this process's environment
     * @param setenv sets a variable in the C environment; returns why it could not, or null
     * @param openMpLoaded whether libgomp has already read its environment (then setting it is too late)
     */
    static String waitPolicy(
            Map<String, String> environment, BiFunction<String, String, String> setenv, BooleanSupplier openMpLoaded) {
        List<String> chosen = WAIT_POLICY_VARIABLES.stream()
                .filter(environment::containsKey)
                .map(name -> name + "=" + environment.get(name))
                .toList();
        String setting = WAIT_POLICY_VARIABLE + "=" + WAIT_POLICY_VALUE;
        if (chosen.equals(List.of(setting))) {
            return setting + " (lowbit's default)"; // e.g. inherited from the lowbit that started this one
        }
        if (!chosen.isEmpty()) {
            return String.join(", ", chosen) + " (from the environment)";
        }
        if (openMpLoaded.getAsBoolean()) {
            return "OpenMP's default (" + setting + " not set: the engine had already loaded)";
        }
        String failure = setenv.apply(WAIT_POLICY_VARIABLE, WAIT_POLICY_VALUE);
        return failure == null
                ? setting + " (lowbit's default)"
                : "OpenMP's default (" + setting + " not set: " + failure + ")";
    }

    /**
     * Every op allocates its result with malloc and frees it when the batch's manager closes. With
     * glibc's defaults a freed block of a few MB goes back to the operating system (dynamic mmap and
     * trim thresholds; a thread's heap unmapped as soon as it empties), and the next step faults its
     * pages in again, one fault per 4 KB: 50 steps of a ternary 1024x1024 weight faulted about
     * 100,000 pages, and fcnn-large's ternary step took 28 ms instead of 21 (docs/PERFORMANCE.md).
     * Fixed thresholds and a top pad keep such blocks in the process for reuse (at most
     * 256 MB free per heap before it is trimmed). Speed only; no result changes. Without glibc (or
     * JNA) nothing is changed.
     */
    private static void keepFreedNativeMemory() {
        if (!Platform.isLinux()) {
            return;
        }
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            c.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD);
            c.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD);
            c.mallopt(M_TOP_PAD, TOP_PAD);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // Not glibc (e.g. musl has no such knobs): training is slower, not wrong.
        }
    }

    /**
     * Hides the GPUs from the engine for {@code --device cpu} ({@link EngineDevice#open}): an empty
     * {@code CUDA_VISIBLE_DEVICES} in the C environment, which the CUDA natives read when they load. With the
     * CPU natives, or once they have loaded, it changes nothing; outside Linux it is not set.
     */
    static void hideGpus() {
        setenv("CUDA_VISIBLE_DEVICES", "");
    }

    /** Sets {@code name=value} in the C environment; returns why it could not, or null. */
    private static String setenv(String name, String value) {
        if (!Platform.isLinux()) {
            return "not Linux";
        }
        try {
            return Native.load("c", CLibrary.class).setenv(name, value, 1) == 0 ? null : "setenv failed";
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return "no C library through JNA: " + e.getMessage();
        }
    }

    /** Whether this process has loaded libgomp (the engine's OpenMP runtime) yet: it is in the memory map. */
    private static boolean openMpLoaded() {
        try (Stream<String> mapped = Files.lines(Path.of("/proc/self/maps"))) {
            return mapped.anyMatch(line -> line.contains("/libgomp"));
        } catch (IOException | UncheckedIOException e) {
            return false;
        }
    }

    /** The C functions used. */
    private interface CLibrary extends Library {
        int mallopt(int parameter, int value);

        int setenv(String name, String value, int overwrite);
    }
}
