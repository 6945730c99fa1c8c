package dev.lowbit.harness.data;

import java.lang.management.ManagementFactory;

/**
 * The bytes the current thread has allocated on the heap so far, as the JVM counts them: the
 * difference across a call is what that call allocated, however briefly it held it.
 */
public final class AllocationMeter {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private AllocationMeter() {}

    /** The current thread's allocated bytes since it started. */
    public static long allocatedBytes() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }
}
