package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The state of a run after a finished epoch, in one file written atomically: the epoch, every
 * parameter by name (fp32 shadow weights, learned scales, batch-norm statistics) and the
 * optimizer's step counts and moments. Everything else a resumed run needs is recomputed from the
 * seed (split, normalisation, shuffles and augmentation are seeded per epoch), so a run resumed from
 * epoch e continues exactly as if it had never stopped.
 *
 * <p>Parameters are restored through initializers, before the trainer initialises the model: DJL's
 * trainer caches parameter arrays when it initialises, so arrays swapped in afterwards (as
 * {@code Block.loadParameters} does) would never be trained.
 */
public final class Checkpoint {

    private static final int MAGIC = 0x4C42434B; // "LBCK"
    private static final int VERSION = 2;

    /** A checkpoint read back: its epoch, its parameters by name, and the optimizer's state. */
    public static final class Restored {
        private final int epoch;
        private final Map<String, byte[]> parameters;
        private final byte[] optimizerState;

        private Restored(int epoch, Map<String, byte[]> parameters, byte[] optimizerState) {
            this.epoch = epoch;
            this.parameters = parameters;
            this.optimizerState = optimizerState;
        }

        /** The epoch the checkpoint was taken after. */
        public int epoch() {
            return epoch;
        }

        /**
         * Makes every parameter of a freshly built, uninitialised model start at its saved value.
         *
         * @throws IllegalArgumentException naming the parameter when the model does not match
         */
        public void initialize(Block block) {
            for (Pair<String, Parameter> entry : block.getParameters()) {
                byte[] saved = parameters.get(entry.getKey());
                if (saved == null) {
                    throw new IllegalArgumentException("the checkpoint has no parameter '" + entry.getKey() + "'");
                }
                entry.getValue().setInitializer((manager, shape, dataType) -> {
                    NDArray values = NDArray.decode(manager, saved);
                    if (!values.getShape().equals(shape)) {
                        throw new IllegalArgumentException("parameter '" + entry.getKey() + "' has shape "
                                + values.getShape() + " in the checkpoint but " + shape + " in the model");
                    }
                    return values.toType(dataType, false);
                });
            }
        }

        /** Restores the optimizer's state onto the model's (initialised) parameters. */
        void restore(Block block, ResumableOptimizer optimizer) throws IOException {
            optimizer.load(block.getParameters(), new DataInputStream(new ByteArrayInputStream(optimizerState)));
        }
    }

    private Checkpoint() {}

    /** Writes the checkpoint through a temporary file and an atomic rename, synced to disk. */
    static void save(Path file, int epoch, Block block, ResumableOptimizer optimizer) {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.getParent());
            try (DataOutputStream out = new DataOutputStream(
                    new java.io.BufferedOutputStream(Files.newOutputStream(temporary)))) {
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
                java.io.ByteArrayOutputStream state = new java.io.ByteArrayOutputStream();
                optimizer.save(block.getParameters(), new DataOutputStream(state));
                out.writeInt(state.size());
                state.writeTo(out);
            }
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write checkpoint " + file, e);
        }
    }

    /** Reads a checkpoint file. */
    public static Restored read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC) {
                throw new IOException("not a lowbit checkpoint");
            }
            int version = in.readInt();
            if (version != VERSION) {
                throw new IOException("checkpoint version " + version + ", this lowbit reads version " + VERSION);
            }
            int epoch = in.readInt();
            int count = in.readInt();
            Map<String, byte[]> parameters = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                String name = in.readUTF();
                byte[] encoded = new byte[in.readInt()];
                in.readFully(encoded);
                parameters.put(name, encoded);
            }
            byte[] optimizerState = new byte[in.readInt()];
            in.readFully(optimizerState);
            return new Restored(epoch, parameters, optimizerState);
        } catch (java.io.EOFException e) {
            throw new IOException("the file is truncated", e);
        }
    }
}
