package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.training.tracker.Tracker;
import ai.djl.util.Pair;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/** Checkpoint files edited as a careless tool or an attacker would, for tests of the reader and the store. */
public final class CraftedCheckpoints {

    private CraftedCheckpoints() {}

    /**
     * A real checkpoint of a tiny model: a 3-to-2 linear layer after one Adam update, taken after
     * {@code epoch}, written in {@code dir}.
     */
    public static byte[] tinyCheckpoint(Path dir, int epoch) throws Exception {
        return tinyCheckpoint(dir, epoch, 0L);
    }

    /** {@link #tinyCheckpoint(Path, int)} storing {@code generatorState} as the quantizer generator's state. */
    public static byte[] tinyCheckpoint(Path dir, int epoch, long generatorState) throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = tinyModel(manager);
            ResumableOptimizer optimizer = ResumableOptimizer.of(ResumableOptimizer.Kind.ADAM, Tracker.fixed(0.1f), 0);
            for (Pair<String, Parameter> entry : block.getParameters()) {
                NDArray weight = entry.getValue().getArray();
                optimizer.update(entry.getValue().getId(), weight, weight.onesLike());
            }
            Path file = dir.resolve("state-" + epoch + ".bin");
            Checkpoint.save(file, dir.resolve("previous-" + epoch + ".bin"), epoch, block, optimizer, generatorState);
            return Files.readAllBytes(file);
        }
    }

    static Block tinyModel(NDManager manager) {
        Block block = Linear.builder().setUnits(2).build();
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        return block;
    }

    /** The checkpoint with its first parameter's length field replaced, and a checksum that matches again. */
    public static byte[] withParameterLength(byte[] checkpoint, int length) {
        byte[] copy = checkpoint.clone();
        // magic, version, epoch, count, then the first name (2-byte length + bytes), then its length.
        int nameLength = ((copy[16] & 0xFF) << 8) | (copy[17] & 0xFF);
        ByteBuffer.wrap(copy, 18 + nameLength, 4).putInt(length);
        return withChecksum(copy);
    }

    /** A checkpoint's bytes (version 3 or 4) with its CRC32C trailer recomputed. */
    public static byte[] withChecksum(byte[] checkpoint) {
        byte[] copy = checkpoint.clone();
        CRC32C crc = new CRC32C();
        crc.update(copy, 0, copy.length - 4);
        ByteBuffer.wrap(copy, copy.length - 4, 4).putInt((int) crc.getValue());
        return copy;
    }

    /** A version-4 checkpoint as version 3 wrote it: the same layout without the generator state. */
    public static byte[] asVersion3(byte[] checkpoint) {
        byte[] copy = Arrays.copyOf(checkpoint, checkpoint.length - Long.BYTES);
        ByteBuffer.wrap(copy, 4, 4).putInt(3);
        return withChecksum(copy);
    }

    /** A version-4 checkpoint as version 2 wrote it: the same layout without the generator state and the checksum. */
    public static byte[] asVersion2(byte[] checkpoint) {
        byte[] copy = Arrays.copyOf(checkpoint, checkpoint.length - Long.BYTES - Integer.BYTES);
        ByteBuffer.wrap(copy, 4, 4).putInt(2);
        return copy;
    }
}
