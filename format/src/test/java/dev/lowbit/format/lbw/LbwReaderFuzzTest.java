package dev.lowbit.format.lbw;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The .lbw reader on any bytes: it returns a model that writes and reads back equal, or refuses the
 * file with one {@link LbwFormatException} line; never another exception, and never an allocation
 * out of proportion to the file's real size, whatever its length fields declare.
 *
 * <p>Fuzz one target for N minutes (one per run; the corpus grows in {@code api/.cifuzz-corpus}):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl api -Dtest='LbwReaderFuzzTest#readsOrRefusesVersion2WithValidChecksums' \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((N * 60))
 * </pre>
 */
class LbwReaderFuzzTest {

    /**
     * Bytes a read may allocate per byte of file, plus a constant: a quantized tensor's codes become
     * one int each (up to 8 codes per packed byte of a binary tensor: 32 bytes), copied once into
     * the tensor, and each short metadata entry or tensor costs its objects and messages. Linear in
     * the file, so a length field declaring gigabytes in a small file cannot pass.
     */
    private static final long BYTES_PER_FILE_BYTE = 256;

    private static final long CONSTANT_BYTES = 4 << 20;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Raw bytes: most are refused at the magic, the version, the length or a checksum. */
    @FuzzTest
    void readsOrRefuses(byte[] data) throws Exception {
        readOrRefuse(data);
    }

    /**
     * Any content framed as a version-1 file with the right magic, length and both checksums, so that
     * every input reaches the parser: counts, strings, shapes, alphabets, packed codes and scales. (Its
     * corpus is version-1 content; version 1 files are still read.)
     */
    @FuzzTest
    void readsOrRefusesWithValidChecksums(byte[] content) throws Exception {
        readOrRefuse(framed(LbwFile.OLDEST_READABLE_VERSION, content));
    }

    /**
     * Any content framed as a file of the version written today, reaching what version 2 adds after each
     * quantized tensor's scales too: group sizes, zero points and extras.
     */
    @FuzzTest
    void readsOrRefusesVersion2WithValidChecksums(byte[] content) throws Exception {
        readOrRefuse(framed(LbwFile.VERSION, content));
    }

    /**
     * A file of {@code content} after a valid 20-byte header of that version and before a valid trailing
     * checksum: what {@link LbwFile#write} produces for content it wrote itself.
     */
    static byte[] framed(int version, byte[] content) {
        byte[] file = new byte[LbwFile.FIXED_HEADER_BYTES + content.length + LbwFile.CHECKSUM_BYTES];
        ByteBuffer view = ByteBuffer.wrap(file);
        view.put(LbwFile.MAGIC).putInt(version).putLong(file.length);
        view.putInt(LbwFile.crc(file, 0, 16));
        view.put(content);
        view.putInt(LbwFile.crc(file, 0, file.length - LbwFile.CHECKSUM_BYTES));
        return file;
    }

    /** The bytes allocated by reading {@code file}, whatever the outcome. */
    private static long readAllocating(Path file) {
        long before = THREADS.getCurrentThreadAllocatedBytes();
        readOrNull(file);
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    /** The model in {@code file}, or null when it was refused in one line naming the file. */
    private static LoadedModel readOrNull(Path file) {
        try {
            return LbwFile.read(file);
        } catch (LbwFormatException refused) {
            if (refused.getMessage().contains("\n") || !refused.getMessage().contains(file.toString())) {
                throw new AssertionError("not one line naming the file: " + refused.getMessage(), refused);
            }
            return null;
        }
    }

    private static void readOrRefuse(byte[] data) throws Exception {
        Path file = Files.createTempFile("fuzz", ".lbw");
        Path copy = Files.createTempFile("fuzz-copy", ".lbw");
        try {
            Files.write(file, data);
            long bound = BYTES_PER_FILE_BYTE * data.length + CONSTANT_BYTES;
            long allocated = readAllocating(file);
            if (allocated > bound) {
                // The first read of a new path loads (and, when fuzzing, instruments) classes on this
                // thread, which counts too; the reader's own allocations are the same every time.
                allocated = readAllocating(file);
            }
            if (allocated > bound) {
                throw new AssertionError("reading " + data.length + " bytes allocated " + allocated);
            }
            LoadedModel loaded = readOrNull(file);
            if (loaded != null) {
                // A correct result: what was read writes and reads back the same.
                LbwFile.write(loaded.model(), copy);
                if (!LbwFile.read(copy).model().equals(loaded.model())) {
                    throw new AssertionError("the model read does not survive a write and a read");
                }
            }
        } finally {
            Files.deleteIfExists(file);
            Files.deleteIfExists(copy);
        }
    }
}
