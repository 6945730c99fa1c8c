package dev.lowbit.harness.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/** Writes small CIFAR-10-style binary files and archives for tests. */
final class CifarFiles {

    /** Images per training file of the tiny dataset; the test file holds one. */
    static final int PER_FILE = 2;

    private CifarFiles() {}

    /** A pixel value that differs by image, channel, row and column, to catch any misplaced byte. */
    static int pixel(int image, int channel, int row, int col) {
        return (image * 7 + channel * 50 + row * 3 + col) & 0xFF;
    }

    /** The label of image number {@code image} (train images are 0..9, the test image 100). */
    static int label(int image) {
        return image % 10;
    }

    /** Records for images {@code first .. first + count - 1}. */
    static byte[] records(int first, int count) {
        byte[] bytes = new byte[count * 3073];
        for (int i = 0; i < count; i++) {
            int at = i * 3073;
            bytes[at] = (byte) label(first + i);
            for (int ch = 0; ch < 3; ch++) {
                for (int r = 0; r < 32; r++) {
                    for (int c = 0; c < 32; c++) {
                        bytes[at + 1 + ch * 1024 + r * 32 + c] = (byte) pixel(first + i, ch, r, c);
                    }
                }
            }
        }
        return bytes;
    }

    /** The six files' contents: train images 0..9, two per file, and test image 100. */
    static Map<String, byte[]> tinyDataset() {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int k = 1; k <= 5; k++) {
            files.put("data_batch_" + k + ".bin", records((k - 1) * PER_FILE, PER_FILE));
        }
        files.put("test_batch.bin", records(100, 1));
        return files;
    }

    /** Writes the tiny dataset's six files into {@code folder}, creating it. */
    static Path writeTinyDataset(Path folder) throws IOException {
        Files.createDirectories(folder);
        for (Map.Entry<String, byte[]> file : tinyDataset().entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        return folder;
    }

    /** A gzipped ustar archive of {@code entries} (name to content), as GNU tar writes it. */
    static byte[] tarGz(Map<String, byte[]> entries) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                out.write(header(entry.getKey(), entry.getValue().length));
                out.write(entry.getValue());
                out.write(new byte[(512 - entry.getValue().length % 512) % 512]);
            }
            out.write(new byte[1024]);
        }
        return bytes.toByteArray();
    }

    /**
     * One entry of a crafted tar: its header may lie about the size ({@code declaredSize}) or be of
     * another type than a regular file.
     */
    record TarEntry(String name, byte type, long declaredSize, byte[] content) {

        /** A regular file whose header tells the truth. */
        static TarEntry file(String name, byte[] content) {
            return new TarEntry(name, (byte) '0', content.length, content);
        }
    }

    /**
     * An uncompressed tar of {@code entries}, each header with a valid checksum and followed by its
     * content padded to whole blocks; the end marker only if asked.
     */
    static byte[] tar(List<TarEntry> entries, boolean endMarker) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (TarEntry entry : entries) {
            out.writeBytes(header(entry.name(), entry.declaredSize(), entry.type()));
            out.writeBytes(entry.content());
            out.writeBytes(new byte[(512 - entry.content().length % 512) % 512]);
        }
        if (endMarker) {
            out.writeBytes(new byte[1024]);
        }
        return out.toByteArray();
    }

    /** {@code bytes} gzipped. */
    static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] header(String name, long size) {
        return header(name, size, (byte) '0');
    }

    /** A ustar header as GNU tar writes it; the name is cut to its 100-byte field, the size to 11 octal digits. */
    private static byte[] header(String name, long size, byte type) {
        byte[] header = new byte[512];
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(nameBytes, 0, header, 0, Math.min(100, nameBytes.length));
        put(header, 100, "0000644");
        put(header, 108, "0001750");
        put(header, 116, "0001750");
        put(header, 124, String.format("%011o", size & 077777777777L));
        put(header, 136, "14000000000");
        header[156] = type;
        put(header, 257, "ustar  ");
        for (int i = 148; i < 156; i++) {
            header[i] = ' ';
        }
        long sum = 0;
        for (byte b : header) {
            sum += b & 0xFF;
        }
        put(header, 148, String.format("%06o", sum));
        header[154] = 0;
        return header;
    }

    private static void put(byte[] header, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, header, offset, bytes.length);
    }
}
