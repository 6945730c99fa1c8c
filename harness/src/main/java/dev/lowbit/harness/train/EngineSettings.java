package dev.lowbit.harness.train;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.lowbit.harness.BadInputException;

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
        return threads;
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

    /** The one C function used. */
    private interface CLibrary extends Library {
        int mallopt(int parameter, int value);
    }
}
