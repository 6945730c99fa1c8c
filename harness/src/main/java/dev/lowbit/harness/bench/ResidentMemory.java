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
    public static final String RSS_METHOD =
            "process's anonymous resident memory (RssAnon of /proc/self/status), after minus before";

    private static final int COLLECTIONS = 5;
    private static final Pattern RSS_ANON = Pattern.compile("^RssAnon:\\s+(\\d+) kB$", Pattern.MULTILINE);

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

    /**
     * The process's anonymous resident memory in bytes (its heaps, Java's and native, not the pages of the
     * libraries it maps: a first call into a library makes its code resident, which is not data), or -1 where
     * {@code /proc/self/status} has no {@code RssAnon} (not Linux, or Linux before 4.5).
     */
    public static long anonymousResidentBytes() {
        try {
            Matcher matcher = RSS_ANON.matcher(Files.readString(Path.of("/proc/self/status")));
            return matcher.find() ? Long.parseLong(matcher.group(1)) * 1024 : -1;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
