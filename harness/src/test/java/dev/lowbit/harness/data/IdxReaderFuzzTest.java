package dev.lowbit.harness.data;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lowbit.harness.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The IDX reader on any file, raw or gzipped: it returns exactly the file's sizes and bytes, or
 * refuses it with one {@link BadInputException} line; never another exception, and never an
 * allocation out of proportion to the bytes the file really holds (decompressed, for gzip),
 * whatever its header declares.
 *
 * <p>Fuzz one target for N minutes (one per run; the corpus grows in {@code harness/.cifuzz-corpus}):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl harness -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='IdxReaderFuzzTest#gzipFileReadsOrRefuses' \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((N * 60))
 * </pre>
 */
class IdxReaderFuzzTest {

    /** Bytes a read may allocate per byte the file really holds, plus a constant for buffers. */
    private static final long BYTES_PER_REAL_BYTE = 8;

    private static final long CONSTANT_BYTES = 2 << 20;

    /** Any bytes as the file: gzip is detected by content, so this fuzzes the gzip layer too. */
    @FuzzTest
    void rawFileReadsOrRefuses(byte[] data) throws IOException {
        readOrRefuse(data);
    }

    /** Any bytes, gzipped: a valid gzip stream, so every input reaches the IDX parser behind it. */
    @FuzzTest
    void gzipFileReadsOrRefuses(byte[] content) throws IOException {
        readOrRefuse(gzip(content));
    }

    static byte[] gzip(byte[] content) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(content);
        }
        return bytes.toByteArray();
    }

    private static void readOrRefuse(byte[] fileBytes) throws IOException {
        Path file = Files.createTempFile("fuzz", ".idx");
        try {
            Files.write(file, fileBytes);
            byte[] decoded = decoded(fileBytes);
            long realBytes = Math.max(fileBytes.length, decoded.length);
            for (int dimensions : new int[] {1, 3}) {
                AllocationMeter.requireAtMost(
                        BYTES_PER_REAL_BYTE * realBytes + CONSTANT_BYTES,
                        "reading " + realBytes + " real bytes",
                        () -> readOrNull(file, dimensions));
                IdxReader.IdxData read = readOrNull(file, dimensions);
                if (read != null) {
                    // A correct result: the file is exactly that header and those bytes.
                    byte[] expected = IdxFiles.idx(read.dimensions(), read.data());
                    if (read.dimensions().length != dimensions || !Arrays.equals(expected, decoded)) {
                        throw new AssertionError("read " + Arrays.toString(read.dimensions()) + " and "
                                + read.data().length + " bytes that are not the file's");
                    }
                }
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static IdxReader.IdxData readOrNull(Path file, int dimensions) {
        try {
            return IdxReader.read(file, dimensions);
        } catch (BadInputException refused) {
            if (refused.getMessage().contains("\n") || !refused.getMessage().contains(file.toString())) {
                throw new AssertionError("not one line naming the file: " + refused.getMessage(), refused);
            }
            return null;
        }
    }

    /** The bytes the reader sees: gunzipped as far as the stream goes when it starts like gzip. */
    private static byte[] decoded(byte[] fileBytes) {
        if (fileBytes.length < 2 || (fileBytes[0] & 0xFF) != 0x1f || (fileBytes[1] & 0xFF) != 0x8b) {
            return fileBytes;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(fileBytes))) {
            in.transferTo(out);
        } catch (IOException broken) {
            // what came before the break is what the reader may have received
        }
        return out.toByteArray();
    }
}
