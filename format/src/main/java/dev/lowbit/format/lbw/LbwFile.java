package dev.lowbit.format.lbw;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * Writes packed models in the {@code .lbw} format, version 2, and reads versions 1 and 2.
 *
 * <p>All numbers are big-endian ({@link DataOutputStream}); a string is an int byte count and
 * UTF-8 bytes; a shape is an int rank and that many longs.
 * <pre>
 * header   "LBW\0"  int version (2)  long file length  int CRC32 of the 16 bytes before it
 *          int metadata count, then per entry: string key, string value
 *          int tensor count
 * tensor   byte kind (1 quantized, 2 fp32), string name, shape
 *   kind 1 int k, k doubles (the alphabet), int g, int b (the {@link RadixPacking} group:
 *          g codes in b bits), long payload length, the packed codes, scale shape, the scales as floats,
 *          then (version 2 only)
 *          int group size G (0: the scales broadcast, as in version 1),
 *          byte 1 and as many zero points as scales, as floats, or byte 0 for none,
 *          int extras count, then per extra: string name, shape, the values as floats
 *   kind 2 the values as floats, as many as the shape holds
 * trailer  int CRC32 ({@link CRC32}) of every byte before it
 * </pre>
 * {@link QuantizedTensor} says what the fields mean; a version-1 quantized tensor reads as one with
 * group size 0, no zero points and no extras.
 * The header's own checksum and the file length let a reader tell a truncated file (shorter than
 * it declares) from a damaged one before it trusts any other length field.
 */
public final class LbwFile {

    /** The four bytes every {@code .lbw} file starts with. */
    static final byte[] MAGIC = {'L', 'B', 'W', 0};
    /** The format version this class writes. */
    public static final int VERSION = 2;
    /** The oldest format version this class reads. */
    public static final int OLDEST_READABLE_VERSION = 1;
    /** Magic, version, file length and header checksum. */
    static final int FIXED_HEADER_BYTES = 20;
    /** The trailing CRC32. */
    static final int CHECKSUM_BYTES = 4;

    static final byte KIND_QUANTIZED = 1;
    static final byte KIND_FP32 = 2;

    private LbwFile() {}

    /**
     * Writes the model to {@code file} atomically (a temporary file beside it, then a move), creating
     * missing parent directories, and returns where the bytes went.
     *
     * @throws UncheckedIOException with a one-line message naming the file when writing fails
     */
    public static ByteAccount write(PackedModel model, Path file) {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        List<ByteAccount.TensorBytes> sections = new ArrayList<>();
        long headerBytes;
        // Building the file in memory first (models are tens of MB) lets the header carry the length.
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(buffer))) {
            out.write(MAGIC);
            out.writeInt(VERSION);
            out.writeLong(0); // file length, patched below
            out.writeInt(0); // header checksum, patched below
            out.writeInt(model.metadata().size());
            for (Map.Entry<String, String> entry : model.metadata().entrySet()) {
                writeString(out, entry.getKey());
                writeString(out, entry.getValue());
            }
            out.writeInt(model.tensors().size());
            headerBytes = out.size();
            for (PackedTensor tensor : model.tensors()) {
                int start = out.size();
                long payload = writeTensor(out, tensor);
                sections.add(new ByteAccount.TensorBytes(
                        tensor.name(),
                        tensor instanceof QuantizedTensor,
                        tensor.elementCount(),
                        out.size() - start,
                        payload));
            }
            out.writeInt(0); // checksum, patched below
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write packed model '" + file + "': " + describe(e), e);
        }
        byte[] bytes = buffer.toByteArray();
        ByteBuffer view = ByteBuffer.wrap(bytes);
        view.putLong(8, bytes.length);
        view.putInt(16, crc(bytes, 0, 16));
        view.putInt(bytes.length - CHECKSUM_BYTES, crc(bytes, 0, bytes.length - CHECKSUM_BYTES));
        writeAtomically(file, bytes);
        return new ByteAccount(bytes.length, headerBytes, sections, CHECKSUM_BYTES);
    }

    /**
     * Reads a packed model and its byte account. The whole file is read and its checksums verified
     * before any length field inside it is trusted.
     *
     * @throws LbwFormatException when the file is not a packed model (a directory, a device, pipe or
     *     socket, or a file growing while read included), truncated, corrupt or of another version,
     *     with a one-line message naming the file
     * @throws UncheckedIOException with a one-line message naming the file when it cannot be read
     */
    public static LoadedModel read(Path file) {
        return new LbwReader(file.toString(), readBounded(file)).read();
    }

    /**
     * The bytes of a regular file, never more than its size said. A device, pipe or socket has no
     * size to check against ({@code /dev/zero} reports 0 and never ends, a pipe may block forever),
     * so it is refused before it is opened; and a file that grows while it is read (one still being
     * written) is refused rather than read on: the allocation stays the size checked up front.
     */
    private static byte[] readBounded(Path file) {
        try {
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (!attributes.isRegularFile()) {
                throw new LbwFormatException("Not a packed model '" + file + "': it is "
                        + (attributes.isDirectory() ? "a directory" : "not a regular file but a device, pipe or socket")
                        + "; pass the .lbw file that 'lowbit export' or 'lowbit run' wrote.");
            }
            long size = attributes.size();
            if (size > Shapes.MAX_ELEMENTS) {
                throw new LbwFormatException("Not a packed model '" + file + "': it holds " + size
                        + " bytes, more than the 2 GiB a packed model may take.");
            }
            try (InputStream in = Files.newInputStream(file)) {
                byte[] data = new byte[(int) size];
                int read = in.readNBytes(data, 0, data.length);
                if (in.read() != -1) {
                    throw new LbwFormatException("Not a packed model '" + file + "': it holds more than the " + size
                            + " bytes its size said when reading began; it is still being written or is not a"
                            + " regular file. Wait until it is complete, or export it again.");
                }
                // A file that shrank is read as it is; the header's length field then calls it truncated.
                return read == data.length ? data : Arrays.copyOf(data, read);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read packed model '" + file + "': " + describe(e), e);
        }
    }

    private static long writeTensor(DataOutputStream out, PackedTensor tensor) throws IOException {
        if (tensor instanceof QuantizedTensor quantized) {
            out.writeByte(KIND_QUANTIZED);
            writeString(out, quantized.name());
            writeShape(out, quantized.shape());
            double[] alphabet = quantized.alphabet();
            out.writeInt(alphabet.length);
            for (double value : alphabet) {
                out.writeDouble(value);
            }
            RadixPacking packing = RadixPacking.forLevels(alphabet.length);
            out.writeInt(packing.codesPerGroup());
            out.writeInt(packing.bitsPerGroup());
            byte[] packed = packing.pack(quantized.codes());
            out.writeLong(packed.length);
            out.write(packed);
            writeShape(out, quantized.scaleShape());
            writeFloats(out, quantized.scales());
            out.writeInt(quantized.groupSize());
            float[] zeroPoints = quantized.zeroPoints();
            out.writeByte(zeroPoints == null ? 0 : 1);
            if (zeroPoints != null) {
                writeFloats(out, zeroPoints);
            }
            out.writeInt(quantized.extras().size());
            for (Fp32Tensor extra : quantized.extras()) {
                writeString(out, extra.name());
                writeShape(out, extra.shape());
                writeFloats(out, extra.values());
            }
            return packed.length;
        }
        Fp32Tensor fp32 = (Fp32Tensor) tensor;
        out.writeByte(KIND_FP32);
        writeString(out, fp32.name());
        writeShape(out, fp32.shape());
        writeFloats(out, fp32.values());
        return 4L * fp32.elementCount();
    }

    private static void writeFloats(DataOutputStream out, float[] values) throws IOException {
        for (float value : values) {
            out.writeFloat(value);
        }
    }

    private static void writeString(DataOutputStream out, String text) throws IOException {
        // Not writeUTF: that caps a string at 64 KiB and uses modified UTF-8.
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    private static void writeShape(DataOutputStream out, long[] shape) throws IOException {
        out.writeInt(shape.length);
        for (long dim : shape) {
            out.writeLong(dim);
        }
    }

    private static void writeAtomically(Path file, byte[] bytes) {
        Path target = file.toAbsolutePath();
        Path temp = null;
        try {
            Files.createDirectories(target.getParent());
            // Not Files.createTempFile: it creates the file owner-only (0600), and the rename would carry that
            // to the model while every other result file is readable as the umask allows (0644).
            temp = target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try (FileChannel channel =
                    FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                ByteBuffer source = ByteBuffer.wrap(bytes);
                while (source.hasRemaining()) {
                    channel.write(source);
                }
                // On disk before the rename, so a crash leaves the old file or the whole new one.
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException ignored) {
                    // The write already failed; that error is the one to report.
                }
            }
            throw new UncheckedIOException("Cannot write packed model '" + file + "': " + describe(e), e);
        }
    }

    /** The CRC32 of {@code length} bytes from {@code offset}, as the int the file stores. */
    static int crc(byte[] data, int offset, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, offset, length);
        return (int) crc.getValue();
    }

    /** A one-line reason for an I/O failure; the JDK's messages for these two are just the path. */
    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replaceAll("\\s+", " ");
    }
}
