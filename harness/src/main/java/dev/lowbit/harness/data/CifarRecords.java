package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Decodes CIFAR-10's binary format into one {@link ImageSet}: files of 3073-byte records, one label
 * byte (0-9) then 3072 pixel bytes, the 1024 red, then green, then blue values of a 32x32 image in
 * row-major order, with no header. That is already ImageSet's channel-first layout, so a record's
 * pixels are copied as they are.
 *
 * <p>The format has no magic number or count, so the byte size is all there is to check: it is
 * checked before anything is allocated (a whole number of records, and the standard 10,000 per file
 * unless a test asks otherwise), and every label while reading.
 */
final class CifarRecords {

    static final int CHANNELS = 3;
    static final int SIDE = 32;
    static final int IMAGE_BYTES = CHANNELS * SIDE * SIDE;
    static final int RECORD_BYTES = 1 + IMAGE_BYTES;
    static final int CLASSES = 10;
    /** Records in each of the six standard files. */
    static final int STANDARD_RECORDS = 10_000;

    private final byte[] pixels;
    private final int[] labels;

    /** Room for {@code count} images. */
    CifarRecords(int count) {
        pixels = new byte[Math.multiplyExact(count, IMAGE_BYTES)];
        labels = new int[count];
    }

    /**
     * The number of records in a file of {@code bytes} bytes, after checking it.
     *
     * @param source the file (or archive entry) named in errors
     * @param expectedRecords the records the file must hold, or 0 to accept any positive number
     */
    static int count(String source, long bytes, int expectedRecords) {
        long expectedBytes = (long) expectedRecords * RECORD_BYTES;
        if (expectedRecords > 0 && bytes != expectedBytes) {
            throw corrupt(
                    source,
                    bytes + " bytes, expected " + expectedBytes + " (" + expectedRecords + " records of "
                            + RECORD_BYTES + " bytes: 1 label + " + IMAGE_BYTES + " pixels); it is "
                            + (bytes < expectedBytes ? "truncated" : "too long") + " or not the binary version");
        }
        if (bytes % RECORD_BYTES != 0) {
            throw corrupt(
                    source,
                    bytes + " bytes is not a whole number of " + RECORD_BYTES + "-byte records (1 label + "
                            + IMAGE_BYTES + " pixels)");
        }
        if (bytes == 0) {
            throw corrupt(source, "the file is empty");
        }
        if (bytes / RECORD_BYTES > Integer.MAX_VALUE / IMAGE_BYTES) {
            throw corrupt(source, bytes + " bytes is more than lowbit can hold");
        }
        return (int) (bytes / RECORD_BYTES);
    }

    /**
     * {@code total + count} images, checked to fit one pixel array: each file's count does, but the
     * files of a split together may not.
     */
    static int addImages(String source, int total, int count) {
        if ((long) total + count > Integer.MAX_VALUE / IMAGE_BYTES) {
            throw corrupt(
                    source,
                    "with it the split holds " + ((long) total + count) + " images, more than lowbit" + " can hold");
        }
        return total + count;
    }

    /**
     * Reads {@code count} records from {@code in} into images {@code first .. first + count - 1}.
     * Sizes were checked by {@link #count}; a short read here means the file changed under us.
     */
    void read(String source, InputStream in, int count, int first) throws IOException {
        byte[] record = new byte[RECORD_BYTES];
        for (int i = 0; i < count; i++) {
            if (in.readNBytes(record, 0, RECORD_BYTES) < RECORD_BYTES) {
                throw corrupt(source, "truncated: ends inside record " + i + " of " + count);
            }
            int label = record[0] & 0xFF;
            if (label >= CLASSES) {
                throw corrupt(
                        source,
                        "label " + label + " at record " + i + " is not one of the " + CLASSES + " classes 0-"
                                + (CLASSES - 1));
            }
            labels[first + i] = label;
            System.arraycopy(record, 1, pixels, (first + i) * IMAGE_BYTES, IMAGE_BYTES);
        }
    }

    /** The images read so far, not copied. */
    ImageSet images() {
        return new ImageSet(pixels, labels, CHANNELS, SIDE, SIDE);
    }

    static BadInputException corrupt(String source, String problem) {
        return new BadInputException("Corrupt CIFAR-10 file '" + source + "': " + problem
                + ". Download the CIFAR-10 binary version and pass --data DIR.");
    }

    static BadInputException unreadable(String source, IOException e) {
        return new BadInputException("Cannot read dataset file '" + source + "': " + e.getMessage(), e);
    }
}
