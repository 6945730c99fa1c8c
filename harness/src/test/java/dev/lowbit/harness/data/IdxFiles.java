package dev.lowbit.harness.data;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/** Writes small IDX files for tests. */
public final class IdxFiles {

    private IdxFiles() {}

    /** The bytes of an IDX file of unsigned bytes with the given sizes and data. */
    public static byte[] idx(int[] sizes, byte[] data) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(0x0800 | sizes.length);
            for (int size : sizes) {
                out.writeInt(size);
            }
            out.write(data);
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Writes {@code content} to {@code file}, gzipped if asked. */
    public static Path write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out =
                gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
        return file;
    }

    /** A tiny Fashion-MNIST-shaped dataset (4 train, 2 test images of 28x28) in {@code directory}. */
    public static void writeTinyDataset(Path directory, boolean gzip) throws IOException {
        String suffix = gzip ? ".gz" : "";
        write(
                directory.resolve("train-images-idx3-ubyte" + suffix),
                idx(new int[] {4, 28, 28}, new byte[4 * 784]),
                gzip);
        write(directory.resolve("train-labels-idx1-ubyte" + suffix), idx(new int[] {4}, new byte[] {0, 1, 2, 9}), gzip);
        write(
                directory.resolve("t10k-images-idx3-ubyte" + suffix),
                idx(new int[] {2, 28, 28}, new byte[2 * 784]),
                gzip);
        write(directory.resolve("t10k-labels-idx1-ubyte" + suffix), idx(new int[] {2}, new byte[] {3, 4}), gzip);
    }
}
