package dev.lowbit.format.lbw;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the bytes of one {@code .lbw} file (layout in {@link LbwFile}), turning every problem into
 * an {@link LbwFormatException} with a one-line message.
 */
final class LbwReader {

    /** The parse ran out of bytes; {@code where} says in which part. */
    private static final class OutOfData extends Exception {
        private static final long serialVersionUID = 1L;

        OutOfData() {
            super(null, null, false, false);
        }
    }

    private static final String DAMAGED = "; the file was modified or damaged.";
    private static final String EXPORT_AGAIN = "; re-export it with 'lowbit export'.";

    private final String file;
    private final byte[] data;
    private DataInputStream in;
    private int limit;
    /** The part being parsed, for messages, e.g. {@code tensor 3 of 4 ('1.weight')}. */
    private String where = "the header";
    /** The file's format version: version 1 quantized tensors end with their scales. */
    private int version;
    /** The packed code bytes of the quantized tensor read last, for the byte account. */
    private long lastPayloadBytes;

    LbwReader(String file, byte[] data) {
        this.file = file;
        this.data = data;
    }

    LoadedModel read() {
        int size = data.length;
        if (size < LbwFile.MAGIC.length) {
            if (!Arrays.equals(data, Arrays.copyOf(LbwFile.MAGIC, size))) {
                throw notPackedModel();
            }
            throw truncated(
                    size == 0 ? "the file is empty" : "the file ends inside the header after " + size + " bytes");
        }
        if (!Arrays.equals(data, 0, LbwFile.MAGIC.length, LbwFile.MAGIC, 0, LbwFile.MAGIC.length)) {
            throw notPackedModel();
        }
        if (size < 8) {
            throw truncated("the file ends inside the header after " + size + " bytes");
        }
        ByteBuffer view = ByteBuffer.wrap(data);
        // The version comes before anything else: a later version may lay out the rest differently.
        version = view.getInt(4);
        if (version > LbwFile.VERSION) {
            // Worded as for a newer run.json or config.json (StoreJson.NewerVersionException).
            throw new LbwFormatException("Unsupported packed model '" + file + "': format version " + version
                    + " is newer than this lowbit knows (it reads up to format version " + LbwFile.VERSION
                    + "): upgrade lowbit to read it.");
        }
        if (version < LbwFile.OLDEST_READABLE_VERSION) {
            throw new LbwFormatException("Unsupported packed model '" + file + "': format version " + version
                    + ", this lowbit reads versions " + LbwFile.OLDEST_READABLE_VERSION + " to " + LbwFile.VERSION
                    + "; export it again with this lowbit.");
        }
        if (size < LbwFile.FIXED_HEADER_BYTES) {
            throw truncated("the file ends inside the header after " + size + " bytes");
        }
        checkCrc("header checksum", view.getInt(16), LbwFile.crc(data, 0, 16));
        // Only now is the declared length trustworthy enough to call a short file truncated.
        long declared = view.getLong(8);
        if (size < declared) {
            throw truncated("the file ends inside " + locateEnd() + " after " + size + " of " + declared + " bytes");
        }
        if (size > declared) {
            throw corrupt("the file holds " + size + " bytes but its header declares " + declared, DAMAGED);
        }
        checkCrc(
                "checksum",
                view.getInt(size - LbwFile.CHECKSUM_BYTES),
                LbwFile.crc(data, 0, size - LbwFile.CHECKSUM_BYTES));
        LoadedModel model;
        int left;
        try {
            model = parse(size - LbwFile.CHECKSUM_BYTES);
            left = in.available();
        } catch (OutOfData e) {
            throw corrupt(where + " runs past the end of the data", EXPORT_AGAIN);
        } catch (IllegalArgumentException e) {
            throw corrupt(where + ": " + e.getMessage(), EXPORT_AGAIN);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading from memory does not fail
        }
        if (left > 0) {
            throw corrupt(left + " unexpected bytes follow the last tensor", EXPORT_AGAIN);
        }
        return model;
    }

    /** The part of the file a truncated copy ends in, found by parsing what is there. */
    private String locateEnd() {
        try {
            parse(data.length);
            return "the checksum";
        } catch (OutOfData | IllegalArgumentException e) {
            return where;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LoadedModel parse(int end) throws IOException, OutOfData {
        limit = end;
        in = new DataInputStream(new ByteArrayInputStream(data, 0, end));
        where = "the header";
        need(LbwFile.FIXED_HEADER_BYTES);
        in.skipNBytes(LbwFile.FIXED_HEADER_BYTES);
        int entries = readCount();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (int i = 0; i < entries; i++) {
            where = "metadata entry " + (i + 1) + " of " + entries;
            String key = readString();
            if (metadata.put(key, readString()) != null) {
                throw new IllegalArgumentException("key '" + key + "' appears twice");
            }
        }
        where = "the header";
        int count = readCount();
        long headerBytes = position();
        List<PackedTensor> tensors = new ArrayList<>();
        List<ByteAccount.TensorBytes> sections = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            where = "tensor " + (t + 1) + " of " + count;
            long start = position();
            byte kind = readByte();
            String name = readString();
            where += " ('" + name + "')";
            long[] shape = readShape();
            int elements = Shapes.elementCount("the shape", shape);
            long payload;
            if (kind == LbwFile.KIND_QUANTIZED) {
                tensors.add(readQuantized(name, shape, elements));
                payload = lastPayloadBytes;
            } else if (kind == LbwFile.KIND_FP32) {
                tensors.add(new Fp32Tensor(name, shape, readFloats(elements)));
                payload = 4L * elements;
            } else {
                throw new IllegalArgumentException("unknown tensor kind " + kind);
            }
            sections.add(new ByteAccount.TensorBytes(
                    name, kind == LbwFile.KIND_QUANTIZED, elements, position() - start, payload));
        }
        where = "the tensor list";
        PackedModel model = new PackedModel(metadata, tensors);
        where = "the checksum";
        long fileBytes = (long) end + LbwFile.CHECKSUM_BYTES;
        return new LoadedModel(model, new ByteAccount(fileBytes, headerBytes, sections, LbwFile.CHECKSUM_BYTES));
    }

    private QuantizedTensor readQuantized(String name, long[] shape, int elements) throws IOException, OutOfData {
        int levels = readInt();
        if (levels < 2) {
            throw new IllegalArgumentException("an alphabet of " + levels + " values");
        }
        need(8L * levels);
        double[] alphabet = new double[levels];
        for (int i = 0; i < levels; i++) {
            alphabet[i] = in.readDouble();
        }
        int group = readInt();
        int bits = readInt();
        if (group < 1 || group > 64 || RadixPacking.bitsFor(levels, group) != bits) {
            throw new IllegalArgumentException("codes of k=" + levels + " packed " + group + " in " + bits
                    + " bits per group, which radix packing never writes");
        }
        // Any valid group size reads back, so a writer may choose another one within 64 bits.
        RadixPacking packing = RadixPacking.withGroupSize(levels, group);
        long payloadBytes = readLong();
        if (payloadBytes != packing.packedBytes(elements)) {
            throw new IllegalArgumentException("a payload of " + payloadBytes + " bytes for " + elements
                    + " codes, which need " + packing.packedBytes(elements));
        }
        need(payloadBytes);
        byte[] packed = new byte[(int) payloadBytes];
        in.readFully(packed);
        lastPayloadBytes = payloadBytes;
        int[] codes = packing.unpack(packed, elements);
        long[] scaleShape = readShape();
        int scaleCount = Shapes.elementCount("the scale shape", scaleShape);
        float[] scales = readFloats(scaleCount);
        if (version == 1) {
            return new QuantizedTensor(name, shape, alphabet, codes, scaleShape, scales);
        }
        int groupSize = readInt();
        byte hasZeroPoints = readByte();
        if (hasZeroPoints != 0 && hasZeroPoints != 1) {
            throw new IllegalArgumentException("a zero-point flag of " + hasZeroPoints + ", not 0 or 1");
        }
        float[] zeroPoints = hasZeroPoints == 1 ? readFloats(scaleCount) : null;
        int extraCount = readCount();
        List<Fp32Tensor> extras = new ArrayList<>();
        for (int i = 0; i < extraCount; i++) {
            String extraName = readString();
            long[] extraShape = readShape();
            extras.add(new Fp32Tensor(
                    extraName, extraShape, readFloats(Shapes.elementCount("extra '" + extraName + "'", extraShape))));
        }
        return new QuantizedTensor(name, shape, alphabet, codes, scaleShape, scales, groupSize, zeroPoints, extras);
    }

    private float[] readFloats(int count) throws IOException, OutOfData {
        need(4L * count);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = in.readFloat();
        }
        return values;
    }

    private long[] readShape() throws IOException, OutOfData {
        int rank = readInt();
        if (rank < 0 || rank > Shapes.MAX_RANK) {
            throw new IllegalArgumentException("a shape of rank " + rank);
        }
        need(8L * rank);
        long[] shape = new long[rank];
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readLong();
        }
        return shape;
    }

    private String readString() throws IOException, OutOfData {
        int length = readInt();
        if (length < 0) {
            throw new IllegalArgumentException("a string of length " + length);
        }
        need(length);
        byte[] utf8 = new byte[length];
        in.readFully(utf8);
        return new String(utf8, StandardCharsets.UTF_8);
    }

    /**
     * A non-negative item count. Nothing is allocated for it up front (every item reads at least
     * one byte, so a garbage count runs out of data), which keeps a truncated file's end precise.
     */
    private int readCount() throws IOException, OutOfData {
        int count = readInt();
        if (count < 0) {
            throw new IllegalArgumentException("a count of " + count);
        }
        return count;
    }

    private byte readByte() throws IOException, OutOfData {
        need(1);
        return in.readByte();
    }

    private int readInt() throws IOException, OutOfData {
        need(4);
        return in.readInt();
    }

    private long readLong() throws IOException, OutOfData {
        need(8);
        return in.readLong();
    }

    /** Checks a length against the bytes left before anything is allocated for it. */
    private void need(long bytes) throws IOException, OutOfData {
        if (bytes > in.available()) {
            throw new OutOfData();
        }
    }

    private long position() throws IOException {
        return (long) limit - in.available();
    }

    private void checkCrc(String what, int stored, int computed) {
        if (stored != computed) {
            throw corrupt(String.format("%s mismatch (stored %08x, computed %08x)", what, stored, computed), DAMAGED);
        }
    }

    private LbwFormatException notPackedModel() {
        return new LbwFormatException("Not a packed model '" + file + "': it does not start with the LBW magic bytes.");
    }

    private LbwFormatException truncated(String detail) {
        return new LbwFormatException(oneLine("Truncated packed model '" + file + "': " + detail + EXPORT_AGAIN));
    }

    private LbwFormatException corrupt(String detail, String advice) {
        return new LbwFormatException(oneLine("Corrupt packed model '" + file + "': " + detail + advice));
    }

    /** Names read from the file may hold line breaks; a message stays on one line. */
    private static String oneLine(String message) {
        return message.replaceAll("\\s+", " ");
    }
}
