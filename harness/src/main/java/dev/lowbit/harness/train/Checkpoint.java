package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.LayoutType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;
import java.util.zip.CheckedOutputStream;

/**
 * The state of a run after a finished epoch, in one file written atomically: the epoch, every
 * parameter by name (fp32 shadow weights, learned scales, batch-norm statistics), the optimizer's
 * step counts and moments, and the state of the run's quantizer random generator (stochastic
 * rounding draws from it while training). Everything else a resumed run needs is recomputed from the
 * seed (split, normalisation, shuffles and augmentation are seeded per epoch), so a run resumed from
 * epoch e continues exactly as if it had never stopped.
 *
 * <p>Layout (big-endian, as {@link DataOutputStream} writes): magic, version, epoch, the parameter
 * count, each parameter as its name and its DJL encoding (length-prefixed), the optimizer state
 * (length-prefixed, as {@link ResumableOptimizer} saves it), since version 4 the generator state (one
 * long), and since version 3 a CRC32C of every byte before it. A results folder may come from
 * anyone, so {@link #read} trusts nothing in the file: the checksum catches damage, and every length
 * and shape is checked against the bytes really left before anything is allocated for it, so a bad
 * file is a {@link DamagedException}, never an OutOfMemoryError.
 *
 * <p>Parameters are restored through initializers, before the trainer initialises the model: DJL's
 * trainer caches parameter arrays when it initialises, so arrays swapped in afterwards (as
 * {@code Block.loadParameters} does) would never be trained.
 */
public final class Checkpoint {

    private static final int MAGIC = 0x4C42434B; // "LBCK"
    /**
     * Version 4 stores the generator state before the CRC32C; version 3 files (checksum, no generator
     * state) and version 2 files (neither) are still read.
     */
    private static final int VERSION = 4;

    private static final int VERSION_WITHOUT_GENERATOR = 3;
    private static final int VERSION_WITHOUT_CHECKSUM = 2;
    /** Magic, version, epoch, parameter count, optimizer state length: a version 2 file with nothing in it. */
    private static final int SMALLEST_FILE = 5 * Integer.BYTES;
    /** {@code Files.readAllBytes} reads at most this much; no model lowbit trains comes near it. */
    static final long LARGEST_FILE = Integer.MAX_VALUE - 64;

    /** DJL's array encoding (NDSerializer), which {@link NDArray#decode} reads; DJL 0.36 writes version 3. */
    private static final String ARRAY_MAGIC = "NDAR";

    private static final int ARRAY_VERSION = 3;
    /** The types a parameter or an optimizer moment can have; the rest have no fixed width or no engine form. */
    private static final Set<DataType> ARRAY_TYPES = Collections.unmodifiableSet(EnumSet.of(
            DataType.FLOAT32,
            DataType.FLOAT64,
            DataType.FLOAT16,
            DataType.BFLOAT16,
            DataType.INT8,
            DataType.UINT8,
            DataType.INT32,
            DataType.INT64,
            DataType.BOOLEAN));

    /**
     * The file is not a usable checkpoint: cut short, failing its checksum, or declaring lengths and
     * shapes its bytes do not hold. Its message says what, in one line.
     */
    public static final class DamagedException extends IOException {
        public DamagedException(String message) {
            super(message);
        }
    }

    /**
     * A well-formed checkpoint that does not fit the model being trained: a parameter missing, one
     * too many, another shape, or optimizer state that is not this optimizer's. The model was built by
     * other code than the checkpoint's (an architecture changed between lowbit versions) or the file
     * was not written for this run; either way the run cannot continue from it.
     */
    public static final class MismatchException extends RuntimeException {
        public MismatchException(String message) {
            super(message);
        }
    }

    /**
     * One array as DJL encoded it, checked: its type and shape are read from the encoding and its
     * data length equals what they imply, so {@link #decode} allocates exactly the bytes present.
     */
    public record StoredArray(DataType type, Shape shape, byte[] encoded) {

        /** The array, owned by {@code manager}. */
        public NDArray decode(NDManager manager) {
            return NDArray.decode(manager, encoded);
        }
    }

    /** The optimizer's state for one parameter, as {@link ResumableOptimizer} saves it. */
    public record OptimizerState(String parameter, int step, List<StoredArray> moments) {}

    /** A checkpoint read back: its epoch, its parameters by name, the optimizer's state and the generator's. */
    public static final class Restored {
        private final int epoch;
        private final Map<String, StoredArray> parameters;
        private final List<OptimizerState> optimizerState;
        private final OptionalLong generatorState;

        private Restored(
                int epoch,
                Map<String, StoredArray> parameters,
                List<OptimizerState> optimizerState,
                OptionalLong generatorState) {
            this.epoch = epoch;
            this.parameters = Collections.unmodifiableMap(parameters);
            this.optimizerState = List.copyOf(optimizerState);
            this.generatorState = generatorState;
        }

        /** The epoch the checkpoint was taken after. */
        public int epoch() {
            return epoch;
        }

        /** Every stored parameter by name, in the order saved. */
        public Map<String, StoredArray> parameters() {
            return parameters;
        }

        /** The optimizer's state per parameter, in the order saved. */
        public List<OptimizerState> optimizerState() {
            return optimizerState;
        }

        /**
         * The state of the run's quantizer random generator when the checkpoint was taken, to restore
         * before training goes on; empty for a version 2 or 3 file, written before lowbit stored it
         * (such a run's generator starts again from its seed).
         */
        public OptionalLong generatorState() {
            return generatorState;
        }

        /**
         * Makes every parameter of a freshly built, uninitialised model start at its saved value.
         *
         * @throws MismatchException naming the parameter when the model does not match (now for
         *     names, when the model initialises for shapes)
         */
        public void initialize(Block block) {
            Set<String> unused = new TreeSet<>(parameters.keySet());
            for (Pair<String, Parameter> entry : block.getParameters()) {
                StoredArray saved = parameters.get(entry.getKey());
                if (saved == null) {
                    throw new MismatchException("the checkpoint has no parameter '" + entry.getKey() + "'");
                }
                unused.remove(entry.getKey());
                entry.getValue().setInitializer((manager, shape, dataType) -> {
                    if (!saved.shape().equals(shape)) {
                        throw new MismatchException("parameter '" + entry.getKey() + "' has shape " + saved.shape()
                                + " in the checkpoint but " + shape + " in the model");
                    }
                    return saved.decode(manager).toType(dataType, false);
                });
            }
            if (!unused.isEmpty()) {
                throw new MismatchException("the checkpoint has parameters the model lacks: "
                        + unused.stream().limit(5).map(Checkpoint::printable).toList()
                        + (unused.size() > 5 ? " and " + (unused.size() - 5) + " more" : ""));
            }
        }

        /** Restores the optimizer's state onto the model's (initialised) parameters. */
        void restore(Block block, ResumableOptimizer optimizer) {
            optimizer.load(block.getParameters(), optimizerState);
        }
    }

    private Checkpoint() {}

    /**
     * Writes the checkpoint with generator state 0: for runs whose quantizers draw no random numbers.
     *
     * @see #save(Path, Path, int, Block, ResumableOptimizer, long)
     */
    static void save(Path file, Path previous, int epoch, Block block, ResumableOptimizer optimizer) {
        save(file, previous, epoch, block, optimizer, 0L);
    }

    /**
     * Writes the checkpoint through a temporary file and an atomic rename, synced to disk. The
     * checkpoint it replaces becomes {@code previous}, so a run whose newest checkpoint is lost or
     * damaged can still go back one epoch instead of to the start.
     *
     * @param generatorState the run's quantizer random generator state after the epoch
     *     ({@code QuantizerRandom.state()}), restored with the rest on resume
     */
    static void save(
            Path file, Path previous, int epoch, Block block, ResumableOptimizer optimizer, long generatorState) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (OutputStream stream = new BufferedOutputStream(Files.newOutputStream(temporary))) {
                CheckedOutputStream checked = new CheckedOutputStream(stream, new CRC32C());
                DataOutputStream out = new DataOutputStream(checked);
                out.writeInt(MAGIC);
                out.writeInt(VERSION);
                out.writeInt(epoch);
                out.writeInt(block.getParameters().size());
                for (Pair<String, Parameter> entry : block.getParameters()) {
                    byte[] encoded = entry.getValue().getArray().encode();
                    out.writeUTF(entry.getKey());
                    out.writeInt(encoded.length);
                    out.write(encoded);
                }
                ByteArrayOutputStream state = new ByteArrayOutputStream();
                optimizer.save(block.getParameters(), new DataOutputStream(state));
                out.writeInt(state.size());
                state.writeTo(out);
                out.writeLong(generatorState);
                out.flush();
                // The checksum itself is not part of what it covers.
                new DataOutputStream(stream)
                        .writeInt((int) checked.getChecksum().getValue());
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            if (Files.isRegularFile(file)) {
                Files.move(file, previous, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary); // a full disk's partial file only takes more space
            } catch (IOException ignored) {
                // The write's own failure is the one to report.
            }
            throw new UncheckedIOException("Cannot write checkpoint " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a checkpoint file: its size is checked before it is read, so memory stays bounded by
     * what is really on disk.
     *
     * @throws DamagedException when the file is not a usable checkpoint
     * @throws IOException when it cannot be read at all
     */
    public static Restored read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DamagedException(Files.exists(file) ? "it is not a regular file" : "it does not exist");
        }
        long size = Files.size(file);
        if (size > LARGEST_FILE) {
            throw new DamagedException("it is " + size + " bytes, more than a checkpoint lowbit writes can be");
        }
        byte[] bytes = Files.readAllBytes(file);
        return parse(bytes);
    }

    /**
     * Reads a checkpoint from its bytes.
     *
     * @throws DamagedException when they are not a usable checkpoint
     */
    public static Restored parse(byte[] bytes) throws DamagedException {
        if (bytes.length < SMALLEST_FILE) {
            throw new DamagedException(
                    "the file is truncated: " + bytes.length + " bytes, a checkpoint has at least " + SMALLEST_FILE);
        }
        Reader in = new Reader(bytes, 0, bytes.length);
        if (in.readInt("the magic number") != MAGIC) {
            throw new DamagedException("not a lowbit checkpoint (no LBCK magic number)");
        }
        int version = in.readInt("the version");
        if (version == VERSION || version == VERSION_WITHOUT_GENERATOR) {
            int end = bytes.length - Integer.BYTES;
            int stored = new Reader(bytes, end, bytes.length).readInt("the checksum");
            CRC32C crc = new CRC32C();
            crc.update(bytes, 0, end);
            if ((int) crc.getValue() != stored) {
                throw new DamagedException(String.format(
                        "its checksum does not match (CRC32C %08x stored, %08x of"
                                + " its %d bytes): the file was damaged after it was written",
                        stored, (int) crc.getValue(), bytes.length));
            }
            in = new Reader(bytes, 2 * Integer.BYTES, end);
        } else if (version != VERSION_WITHOUT_CHECKSUM) {
            throw new DamagedException("checkpoint version " + version + ", this lowbit reads versions "
                    + VERSION_WITHOUT_CHECKSUM + " to " + VERSION);
        }
        int epoch = in.readInt("the epoch");
        if (epoch < 1) {
            throw new DamagedException("it claims to be taken after epoch " + epoch + "; epochs count from 1");
        }
        int count = in.readCount("the parameter count");
        Map<String, StoredArray> parameters = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUtf("the name of parameter " + (i + 1));
            String what = "parameter '" + printable(name) + "'";
            StoredArray array = array(in.readBytes(what), what);
            if (parameters.put(name, array) != null) {
                throw new DamagedException(what + " is stored twice");
            }
        }
        byte[] optimizer = in.readBytes("the optimizer state");
        OptionalLong generatorState = OptionalLong.empty();
        if (version == VERSION) {
            generatorState = OptionalLong.of(in.readLong("the generator state"));
            in.requireEnd("after the generator state");
        } else {
            in.requireEnd("after the optimizer state");
        }
        return new Restored(epoch, parameters, optimizerState(optimizer, parameters), generatorState);
    }

    /** The optimizer section, in the layout {@link ResumableOptimizer#save} writes. */
    private static List<OptimizerState> optimizerState(byte[] bytes, Map<String, StoredArray> parameters)
            throws DamagedException {
        Reader in = new Reader(bytes, 0, bytes.length);
        int count = in.readCount("the optimizer's parameter count");
        List<OptimizerState> states = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        for (int i = 0; i < count; i++) {
            String name = in.readUtf("the optimizer's parameter " + (i + 1));
            String shown = "'" + printable(name) + "'";
            if (!parameters.containsKey(name)) {
                throw new DamagedException(
                        "the optimizer state names parameter " + shown + ", which it does not store");
            }
            if (!seen.add(name)) {
                throw new DamagedException("the optimizer state of parameter " + shown + " is stored twice");
            }
            int step = in.readInt("the optimizer's step count of " + shown);
            if (step < 0) {
                throw new DamagedException("the optimizer's step count of " + shown + " is " + step);
            }
            int moments = in.readCount("the optimizer's moment count of " + shown);
            List<StoredArray> arrays = new ArrayList<>();
            for (int m = 0; m < moments; m++) {
                String what = "optimizer moment " + (m + 1) + " of " + shown;
                arrays.add(array(in.readBytes(what), what));
            }
            states.add(new OptimizerState(name, step, arrays));
        }
        in.requireEnd("after the optimizer state");
        return states;
    }

    /**
     * Checks one DJL array encoding (NDSerializer, versions 1 to 3): type, shape and data length agree
     * with each other and with its bytes, and every field is one DJL's decoder reads the same way.
     */
    private static StoredArray array(byte[] encoded, String what) throws DamagedException {
        Reader in = new Reader(encoded, 0, encoded.length);
        if (!ARRAY_MAGIC.equals(in.readShortAscii(what + ": its magic"))) {
            throw new DamagedException(what + " is not a DJL array encoding");
        }
        int version = in.readInt(what + ": its version");
        if (version < 1 || version > ARRAY_VERSION) {
            throw new DamagedException(
                    what + " has array encoding version " + version + ", DJL reads 1 to " + ARRAY_VERSION);
        }
        if (version > 1) {
            int named = in.readByte(what + ": its name flag");
            if (named == 1) {
                in.readShortAscii(what + ": its name");
            } else if (named != 0) {
                throw new DamagedException(what + " has name flag " + named);
            }
        }
        String format = in.readShortAscii(what + ": its format");
        if (!"DENSE".equals(format)) {
            throw new DamagedException(what + " is stored as '" + printable(format) + "', not DENSE");
        }
        String typeName = in.readShortAscii(what + ": its data type");
        DataType type = ARRAY_TYPES.stream()
                .filter(t -> t.name().equals(typeName))
                .findFirst()
                .orElseThrow(() -> new DamagedException(
                        what + " has data type '" + printable(typeName) + "'; allowed: " + ARRAY_TYPES));
        int dimensions = in.readCount(what + ": its number of dimensions", Long.BYTES);
        long[] dims = new long[dimensions];
        long elements = 1;
        for (int d = 0; d < dimensions; d++) {
            dims[d] = in.readLong(what + ": dimension " + (d + 1));
            if (dims[d] < 0) {
                throw new DamagedException(what + " has dimension " + dims[d]);
            }
            elements = multiply(elements, dims[d], what);
        }
        int layoutLength = in.readInt(what + ": its layout length");
        if (layoutLength != dimensions) {
            throw new DamagedException(
                    what + " has a layout of " + layoutLength + " axes for " + dimensions + " dimensions");
        }
        StringBuilder layout = new StringBuilder();
        for (int d = 0; d < dimensions; d++) {
            char axis = in.readChar(what + ": its layout");
            try {
                LayoutType.fromValue(axis);
            } catch (IllegalArgumentException e) {
                throw new DamagedException(what + " has layout axis " + (int) axis + ", which DJL does not know");
            }
            layout.append(axis);
        }
        if (version > 2) {
            int order = in.readByte(what + ": its byte order");
            if (order != '<' && order != '>') {
                throw new DamagedException(what + " has byte order mark " + order + ", not '<' or '>'");
            }
        }
        long expected = multiply(elements, type.getNumOfBytes(), what);
        int length = in.readInt(what + ": its data length");
        if (length != expected) {
            throw new DamagedException(what + " declares " + length + " data bytes but its shape " + new Shape(dims)
                    + " of " + type + " needs " + expected);
        }
        in.skip(length, what + ": its data");
        in.requireEnd("after " + what);
        return new StoredArray(type, new Shape(dims, layout.toString()), encoded);
    }

    /**
     * A name from the file as it may appear in a one-line message: control characters escaped, and
     * cut after 80 characters (a name can be 65,535 bytes long).
     */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder();
        int i = 0;
        for (; i < text.length() && shown.length() < 80; i++) {
            char c = text.charAt(i);
            boolean breaksTheLine = Character.isISOControl(c) || (Character.isWhitespace(c) && c != ' ');
            shown.append(breaksTheLine ? String.format("\\u%04x", (int) c) : String.valueOf(c));
        }
        return i < text.length() ? shown + "..." : shown.toString();
    }

    private static long multiply(long a, long b, String what) throws DamagedException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw new DamagedException(what + " has more elements than a long can count");
        }
    }

    /**
     * Reads big-endian values from {@code bytes[from, to)} and refuses, before allocating, any length
     * that exceeds what is left: a declared size is only believed up to the bytes really there.
     */
    private static final class Reader {
        private final byte[] bytes;
        private final int end;
        private int position;

        Reader(byte[] bytes, int from, int to) {
            this.bytes = bytes;
            this.position = from;
            this.end = to;
        }

        private int remaining() {
            return end - position;
        }

        private void need(long length, String what) throws DamagedException {
            if (length > remaining()) {
                throw new DamagedException("the file is truncated: " + what + " needs " + length + " bytes but only "
                        + remaining() + " remain");
            }
        }

        int readInt(String what) throws DamagedException {
            need(Integer.BYTES, what);
            int value = ((bytes[position] & 0xFF) << 24)
                    | ((bytes[position + 1] & 0xFF) << 16)
                    | ((bytes[position + 2] & 0xFF) << 8)
                    | (bytes[position + 3] & 0xFF);
            position += Integer.BYTES;
            return value;
        }

        long readLong(String what) throws DamagedException {
            need(Long.BYTES, what); // so a cut long is reported as 8 bytes needed, not 4
            long high = readInt(what) & 0xFFFFFFFFL;
            long low = readInt(what) & 0xFFFFFFFFL;
            return (high << 32) | low;
        }

        int readByte(String what) throws DamagedException {
            need(1, what);
            return bytes[position++] & 0xFF;
        }

        /**
         * A string of DJL's array encoding, which its decoder reads right only when it is shorter than
         * 256 bytes (it drops the high length byte) and plain ASCII: anything else is refused.
         */
        String readShortAscii(String what) throws DamagedException {
            need(2, what);
            if (bytes[position] != 0) {
                throw new DamagedException(what + " is longer than 255 bytes");
            }
            int length = bytes[position + 1] & 0xFF;
            need(2L + length, what);
            for (int i = position + 2; i < position + 2 + length; i++) {
                if (bytes[i] < 0x20) { // signed: also every byte from 0x80 on
                    throw new DamagedException(what + " is not printable ASCII");
                }
            }
            String text = new String(bytes, position + 2, length, java.nio.charset.StandardCharsets.US_ASCII);
            position += 2 + length;
            return text;
        }

        char readChar(String what) throws DamagedException {
            need(Character.BYTES, what);
            char value = (char) (((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF));
            position += Character.BYTES;
            return value;
        }

        /** A count of items that each take at least one byte: more than the bytes left cannot be true. */
        int readCount(String what) throws DamagedException {
            return readCount(what, 1);
        }

        /** A count of items that each take at least {@code itemBytes}. */
        int readCount(String what, int itemBytes) throws DamagedException {
            int count = readInt(what);
            if (count < 0 || (long) count * itemBytes > remaining()) {
                throw new DamagedException(
                        what + " is " + count + ", more than the " + remaining() + " bytes left can hold");
            }
            return count;
        }

        /** A length-prefixed byte block. */
        byte[] readBytes(String what) throws DamagedException {
            int length = readInt(what + ": its length");
            if (length < 0) {
                throw new DamagedException(what + " declares a length of " + length);
            }
            need(length, what);
            byte[] block = java.util.Arrays.copyOfRange(bytes, position, position + length);
            position += length;
            return block;
        }

        void skip(int length, String what) throws DamagedException {
            need(length, what);
            position += length;
        }

        /** A string as {@link DataOutputStream#writeUTF} writes it (modified UTF-8, at most 65,535 bytes). */
        String readUtf(String what) throws DamagedException {
            need(2, what);
            int length = ((bytes[position] & 0xFF) << 8) | (bytes[position + 1] & 0xFF);
            need(2L + length, what);
            try {
                String text = new DataInputStream(new ByteArrayInputStream(bytes, position, 2 + length)).readUTF();
                position += 2 + length;
                return text;
            } catch (IOException e) {
                throw new DamagedException(what + " is not valid modified UTF-8");
            }
        }

        void requireEnd(String what) throws DamagedException {
            if (remaining() != 0) {
                throw new DamagedException(remaining() + " unexpected bytes " + what);
            }
        }
    }
}
