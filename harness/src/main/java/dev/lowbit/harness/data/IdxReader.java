package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads IDX files (the MNIST family's format), gzipped or raw: a magic number
 * {@code 0x00 0x00 type dims}, then {@code dims} big-endian int32 sizes, then the unsigned bytes.
 * The magic number, the sizes and the exact byte count are checked, so a truncated or corrupt
 * file is an error naming the file, never garbage data. The header's sizes are never trusted for an
 * allocation: a raw file's are checked against its size first, a gzip stream's data is read as it
 * arrives (see {@link #readUpTo}).
 */
public final class IdxReader {

    private static final int UNSIGNED_BYTE = 0x08;
    /** The most data bytes one file may declare: the largest Java array. */
    private static final long MAX_BYTES = Integer.MAX_VALUE - 8;
    /** The first allocation for a file's data; it grows only as data arrives. */
    private static final int INITIAL_BUFFER = 1 << 16;

    private IdxReader() {}

    /** A decoded IDX tensor of unsigned bytes. */
    public record IdxData(int[] dimensions, byte[] data) {}

    /**
     * Reads an IDX file of unsigned bytes with the expected number of dimensions.
     *
     * @param file the file, gzipped (detected by content, not by name) or raw
     * @param expectedDimensions 1 for labels, 3 for images
     * @throws BadInputException if the file is missing, truncated, too long or not such an IDX file
     */
    public static IdxData read(Path file, int expectedDimensions) {
        if (!Files.isRegularFile(file)) {
            throw new BadInputException("Cannot read dataset file '" + file + "': "
                    + (Files.exists(file)
                            ? "it is not a regular file (a directory, device, pipe or socket)"
                            : "no such file")
                    + ". Point --data at a folder holding the dataset's files.");
        }
        try (BufferedInputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            boolean gzipped = startsWithGzipMagic(raw);
            // Closed on its own as well: a gzip stream holds native memory until it is.
            try (DataInputStream in = new DataInputStream(
                    gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw)) {
                return parse(file, in, gzipped, expectedDimensions);
            }
        } catch (EOFException e) {
            throw corrupt(file, "truncated: the file ends inside its header");
        } catch (ZipException e) {
            throw corrupt(file, "broken gzip stream (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException("Cannot read dataset file '" + file + "': " + e.getMessage(), e);
        }
    }

    private static IdxData parse(Path file, DataInputStream in, boolean gzipped, int expectedDimensions)
            throws IOException {
        int magic = in.readInt();
        int type = (magic >>> 8) & 0xFF;
        int dimensions = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dimensions != expectedDimensions) {
            throw corrupt(
                    file,
                    String.format(
                            "wrong magic number 0x%08X, expected 0x%08X (unsigned bytes, %d dimensions)",
                            magic, (UNSIGNED_BYTE << 8) | expectedDimensions, expectedDimensions));
        }
        int[] sizes = new int[dimensions];
        long count = 1;
        for (int i = 0; i < dimensions; i++) {
            sizes[i] = in.readInt();
            if (sizes[i] <= 0) {
                throw corrupt(file, "dimension " + i + " has size " + sizes[i]);
            }
            count *= sizes[i];
            if (count > MAX_BYTES) { // checked at every step, so the product never overflows
                throw corrupt(
                        file,
                        "declares more than " + MAX_BYTES + " bytes of data, more than lowbit can" + " hold: "
                                + Arrays.toString(sizes));
            }
        }
        // A raw file's size is known: a header declaring more (or less) than it holds is refused
        // before anything is allocated for the data.
        long headerBytes = 4L + 4L * dimensions;
        long fileBytes = Files.size(file);
        if (!gzipped && fileBytes != headerBytes + count) {
            throw corrupt(
                    file,
                    (fileBytes < headerBytes + count ? "truncated" : "longer than its header declares")
                            + ": header declares " + Arrays.toString(sizes) + " = " + count
                            + " bytes of data after its "
                            + headerBytes + "-byte header, but the file holds " + fileBytes + " bytes");
        }
        byte[] data = readUpTo(in, (int) count);
        if (data.length < count) {
            throw corrupt(
                    file,
                    "truncated: header declares " + Arrays.toString(sizes) + " = " + count
                            + " bytes of data but the " + (gzipped ? "gzip stream" : "file") + " ends after "
                            + data.length);
        }
        if (in.read() != -1) {
            throw corrupt(file, "longer than its header declares " + Arrays.toString(sizes));
        }
        return new IdxData(sizes, data);
    }

    /**
     * Up to {@code count} bytes of {@code in}, allocated only as they arrive: a gzip stream's length
     * is unknown until it ends, so trusting the header's count would let a tiny file claiming 2 GB
     * allocate 2 GB before it is found truncated. The buffer starts at 64 KiB and doubles while it
     * fills, so the memory taken stays within about three times the bytes that really came.
     */
    static byte[] readUpTo(InputStream in, int count) throws IOException {
        byte[] buffer = new byte[Math.min(count, INITIAL_BUFFER)];
        int filled = 0;
        while (filled < count) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(count, 2L * buffer.length));
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                break;
            }
            filled += read;
        }
        return filled == buffer.length ? buffer : Arrays.copyOf(buffer, filled);
    }

    private static boolean startsWithGzipMagic(BufferedInputStream in) throws IOException {
        in.mark(2);
        int first = in.read();
        int second = in.read();
        in.reset();
        return first == 0x1f && second == 0x8b;
    }

    private static BadInputException corrupt(Path file, String problem) {
        return new BadInputException("Corrupt IDX file '" + file + "': " + problem
                + ". Reinstall the dataset (apt-get install --reinstall dataset-fashion-mnist) or fix --data.");
    }
}
