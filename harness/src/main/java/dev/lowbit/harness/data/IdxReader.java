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
 * file is an error naming the file, never garbage data.
 */
public final class IdxReader {

    private static final int UNSIGNED_BYTE = 0x08;

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
        try (DataInputStream in = new DataInputStream(open(file))) {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xFF;
            int dimensions = magic & 0xFF;
            if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || dimensions != expectedDimensions) {
                throw corrupt(file, String.format(
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
            }
            if (count > Integer.MAX_VALUE - 8) {
                throw corrupt(file, "declares " + count + " bytes, more than lowbit can hold: " + Arrays.toString(sizes));
            }
            byte[] data = new byte[(int) count];
            try {
                in.readFully(data);
            } catch (EOFException e) {
                throw corrupt(file, "truncated: header declares " + Arrays.toString(sizes) + " = " + count
                        + " bytes of data but the file ends early");
            }
            if (in.read() != -1) {
                throw corrupt(file, "longer than its header declares " + Arrays.toString(sizes));
            }
            return new IdxData(sizes, data);
        } catch (EOFException e) {
            throw corrupt(file, "truncated: the file ends inside its header");
        } catch (ZipException e) {
            throw corrupt(file, "broken gzip stream (" + e.getMessage() + ")");
        } catch (IOException e) {
            throw new BadInputException("Cannot read dataset file '" + file + "': " + e.getMessage(), e);
        }
    }

    private static InputStream open(Path file) throws IOException {
        InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
        raw.mark(2);
        int first = raw.read();
        int second = raw.read();
        raw.reset();
        boolean gzipped = first == 0x1f && second == 0x8b;
        return gzipped ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
    }

    private static BadInputException corrupt(Path file, String problem) {
        return new BadInputException("Corrupt IDX file '" + file + "': " + problem
                + ". Reinstall the dataset (apt-get install --reinstall dataset-fashion-mnist) or fix --data.");
    }
}
