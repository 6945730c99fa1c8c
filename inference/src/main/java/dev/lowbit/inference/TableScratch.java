package dev.lowbit.inference;

import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The lookup tables' memory, lent out and given back between calls: a wide layer's tables are hundreds of KB,
 * which a new array per call would zero each time for nothing (every entry a lookup reads is written first). A
 * pool rather than one array per thread: a thread waiting for its rows' helpers may run another call meanwhile.
 */
final class TableScratch {

    private static final ConcurrentLinkedQueue<float[]> FREE = new ConcurrentLinkedQueue<>();

    private TableScratch() {}

    /** An array of at least {@code size} floats, of unspecified contents, the caller's until {@link #giveBack}. */
    static float[] borrow(int size) {
        float[] tables = FREE.poll();
        return tables != null && tables.length >= size ? tables : new float[size];
    }

    /** Returns an array {@link #borrow} lent, for a later call. */
    static void giveBack(float[] tables) {
        // A few arrays suffice (one per thread at a time); more would only hold memory.
        if (FREE.size() < 2 * Runtime.getRuntime().availableProcessors()) {
            FREE.offer(tables);
        }
    }
}
