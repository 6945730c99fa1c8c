package dev.lowbit.harness.data;

import java.lang.management.ManagementFactory;

/**
 * The bytes the current thread allocates on the heap, as the JVM counts them: the difference across
 * a call is what that call allocated, however briefly it held it.
 */
public final class AllocationMeter {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationMeter() {}

    /** The current thread's allocated bytes since it started. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** The bytes {@code action} allocates on this thread. */
    public static long allocatedBy(Runnable action) {
        long before = allocatedBytes();
        action.run();
        return allocatedBytes() - before;
    }

    /**
     * Fails unless {@code action} allocates at most {@code bound} bytes. An action over the bound is
     * run once more before failing: its first run may load (and, while fuzzing, instrument) classes
     * on this thread, which counts too, while a reader's own allocations are the same every time.
     */
    public static void requireAtMost(long bound, String what, Runnable action) {
        long allocated = allocatedBy(action);
        if (allocated > bound) {
            allocated = allocatedBy(action);
        }
        if (allocated > bound) {
            throw new AssertionError(what + " allocated " + allocated + " bytes, more than the " + bound + " allowed");
        }
    }
}
