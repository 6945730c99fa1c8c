package dev.lowbit.harness.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory as the process holds it, measured: the Java heap in use after collections, and the process's resident
 * set. A difference of two readings around a load is what the load keeps (nothing else may run meanwhile).
 */
public final class ResidentMemory {

    /** How the heap is read, as {@code lowbit bench inference} states it. */
    public static final String HEAP_METHOD =
            "Java heap in use (MemoryMXBean) after System.gc() x" + ResidentMemory.COLLECTIONS + ", after minus before";
    /** How the resident set is read. */
    public static final String RSS_METHOD = "process resident set (VmRSS of /proc/self/status), after minus before";

    private static final int COLLECTIONS = 5;
    private static final Pattern VM_RSS = Pattern.compile("^VmRSS:\\s+(\\d+) kB$", Pattern.MULTILINE);

    private ResidentMemory() {}

    /**
     * The bytes of the heap in use after {@value #COLLECTIONS} full collections (the later ones find what the
     * earlier ones' finalisation and reference processing freed).
     */
    public static long heapUsedAfterCollections() {
        for (int i = 0; i < COLLECTIONS; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** The process's resident set in bytes, or -1 where there is no {@code /proc/self/status} (not Linux). */
    public static long residentSetBytes() {
        try {
            Matcher matcher = VM_RSS.matcher(Files.readString(Path.of("/proc/self/status")));
            return matcher.find() ? Long.parseLong(matcher.group(1)) * 1024 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
