package dev.lowbit.harness.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.tracker.Tracker;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkpoints of a real (tiny) model on the real engine, and crafted files that must read as damaged. */
class CheckpointTest {

    @TempDir
    Path dir;

    @Test
    void aSavedCheckpointReadsBackIntoAFreshModelWithItsOptimizerState() throws Exception {
        byte[] bytes = CraftedCheckpoints.tinyCheckpoint(dir, 4);

        Checkpoint.Restored restored = Checkpoint.parse(bytes);

        assertThat(restored.epoch()).isEqualTo(4);
        assertThat(restored.parameters()).containsOnlyKeys("weight", "bias");
        assertThat(restored.parameters().get("weight").shape()).isEqualTo(new Shape(2, 3));
        assertThat(restored.optimizerState())
                .hasSize(2)
                .allSatisfy(state -> assertThat(state.step()).isEqualTo(1))
                .allSatisfy(state -> assertThat(state.moments()).hasSize(2));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block fresh = Linear.builder().setUnits(2).build();
            restored.initialize(fresh);
            fresh.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
            float[] expected =
                    restored.parameters().get("weight").decode(manager).toFloatArray();
            assertThat(fresh.getParameters().get("weight").getArray().toFloatArray())
                    .containsExactly(expected);
            ResumableOptimizer optimizer = ResumableOptimizer.of(ResumableOptimizer.Kind.ADAM, Tracker.fixed(0.1f), 0);
            restored.restore(fresh, optimizer);
            // An SGD optimizer keeps one moment, not Adam's two: the state is not its own.
            ResumableOptimizer sgd = ResumableOptimizer.of(ResumableOptimizer.Kind.SGD, Tracker.fixed(0.1f), 0);
            assertThatThrownBy(() -> restored.restore(fresh, sgd))
                    .isInstanceOf(Checkpoint.MismatchException.class)
                    .hasMessageContaining("2 optimizer moments for 'weight', SGD keeps 1");
        }
    }

    @Test
    void savingAgainKeepsTheCheckpointItReplacesAsThePreviousOne() throws Exception {
        try (NDManager manager = NDManager.newBaseManager()) {
            Block block = CraftedCheckpoints.tinyModel(manager);
            ResumableOptimizer optimizer = ResumableOptimizer.of(ResumableOptimizer.Kind.ADAM, Tracker.fixed(0.1f), 0);
            Path latest = dir.resolve("checkpoint/state.bin");
            Path previous = dir.resolve("checkpoint/previous.bin");
            Checkpoint.save(latest, previous, 1, block, optimizer);
            assertThat(previous).doesNotExist();
            Checkpoint.save(latest, previous, 2, block, optimizer);
            assertThat(Checkpoint.read(latest).epoch()).isEqualTo(2);
            assertThat(Checkpoint.read(previous).epoch()).isEqualTo(1);
            assertThat(dir.resolve("checkpoint/state.bin.tmp")).doesNotExist();
        }
    }

    @Test
    void aModelOfAnotherShapeIsAMismatchNotADamagedFile() throws Exception {
        Checkpoint.Restored restored = Checkpoint.parse(CraftedCheckpoints.tinyCheckpoint(dir, 1));
        try (NDManager manager = NDManager.newBaseManager()) {
            Block wider = Linear.builder().setUnits(5).build();
            restored.initialize(wider);
            assertThatThrownBy(() -> wider.initialize(manager, DataType.FLOAT32, new Shape(1, 3)))
                    .isInstanceOf(Checkpoint.MismatchException.class)
                    .hasMessage("parameter 'weight' has shape (2, 3) in the checkpoint but (5, 3) in the model");
            Block withoutBias = Linear.builder().setUnits(2).optBias(false).build();
            assertThatThrownBy(() -> restored.initialize(withoutBias))
                    .isInstanceOf(Checkpoint.MismatchException.class)
                    .hasMessage("the checkpoint has parameters the model lacks: [bias]");
        }
    }

    @Test
    void aCutShortOrBitFlippedFileFailsItsChecksum() throws Exception {
        byte[] bytes = CraftedCheckpoints.tinyCheckpoint(dir, 1);

        assertThatThrownBy(() -> Checkpoint.parse(Arrays.copyOf(bytes, bytes.length - 9)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessageContaining("its checksum does not match");
        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        assertThatThrownBy(() -> Checkpoint.parse(flipped))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessageContaining("its checksum does not match");
        assertThatThrownBy(() -> Checkpoint.parse(Arrays.copyOf(bytes, 7)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("the file is truncated: 7 bytes, a checkpoint has at least 20");
        Files.write(dir.resolve("empty.bin"), new byte[0]);
        assertThatThrownBy(() -> Checkpoint.read(dir.resolve("empty.bin")))
                .isInstanceOf(Checkpoint.DamagedException.class);
    }

    @Test
    void aDeclaredLengthBeyondTheFileIsRefusedBeforeAnythingIsAllocated() throws Exception {
        // The case: a parameter claiming 2^31-9 bytes, in a file of a few hundred, with a checksum
        // that matches (whoever crafts a file can compute one) and without (version 2 has none).
        byte[] crafted = CraftedCheckpoints.withParameterLength(
                CraftedCheckpoints.tinyCheckpoint(dir, 1), Integer.MAX_VALUE - 8);

        assertThatThrownBy(() -> Checkpoint.parse(crafted))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessageStartingWith("the file is truncated: parameter 'weight' needs 2147483639 bytes but only");
        assertThatThrownBy(() -> Checkpoint.parse(CraftedCheckpoints.asVersion2(crafted)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessageStartingWith("the file is truncated: parameter 'weight' needs 2147483639 bytes but only");
    }

    @Test
    void aShapeThatDoesNotMatchItsDataIsRefused() throws Exception {
        byte[] bytes = CraftedCheckpoints.tinyCheckpoint(dir, 1);
        byte[] encoded = Checkpoint.parse(bytes).parameters().get("weight").encoded();
        // The first dimension of the weight, (2, 3), made 2^40: its data would need terabytes.
        byte[] huge = bytes.clone();
        int at = indexOf(huge, encoded) + dimensionsOffset(encoded);
        ByteBuffer.wrap(huge, at, 8).putLong(1L << 40);
        assertThatThrownBy(() -> Checkpoint.parse(CraftedCheckpoints.withChecksum(huge)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("parameter 'weight' declares 24 data bytes but its shape (1099511627776, 3) of float32"
                        + " needs 13194139533312");
    }

    @Test
    void aVersion2CheckpointWithoutChecksumStillReadsWithoutAGeneratorState() throws Exception {
        byte[] bytes = CraftedCheckpoints.tinyCheckpoint(dir, 3, 42L);
        Checkpoint.Restored old = Checkpoint.parse(CraftedCheckpoints.asVersion2(bytes));
        assertThat(old.epoch()).isEqualTo(3);
        assertThat(old.parameters()).containsOnlyKeys("weight", "bias");
        assertThat(old.generatorState()).isEmpty();
    }

    @Test
    void theGeneratorStateReadsBackAsSaved() throws Exception {
        for (long state : new long[] {0L, 1L, -1L, Long.MIN_VALUE, 0x9E3779B97F4A7C15L}) {
            Checkpoint.Restored restored = Checkpoint.parse(CraftedCheckpoints.tinyCheckpoint(dir, 2, state));

            assertThat(restored.generatorState()).hasValue(state);
            assertThat(restored.epoch()).isEqualTo(2);
            assertThat(restored.optimizerState()).hasSize(2);
        }
    }

    @Test
    void aVersion3CheckpointStillReadsWithTheGeneratorStateAbsent() throws Exception {
        byte[] v3 = CraftedCheckpoints.asVersion3(CraftedCheckpoints.tinyCheckpoint(dir, 5, 42L));
        assertThat(ByteBuffer.wrap(v3, 4, 4).getInt()).isEqualTo(3);

        Checkpoint.Restored old = Checkpoint.parse(v3);

        assertThat(old.epoch()).isEqualTo(5);
        assertThat(old.parameters()).containsOnlyKeys("weight", "bias");
        assertThat(old.optimizerState()).hasSize(2);
        assertThat(old.generatorState()).isEmpty();
    }

    @Test
    void aDamagedGeneratorStateIsADamagedFile() throws Exception {
        byte[] bytes = CraftedCheckpoints.tinyCheckpoint(dir, 1, 42L);
        int generatorAt = bytes.length - Integer.BYTES - Long.BYTES;
        assertThat(ByteBuffer.wrap(bytes, generatorAt, Long.BYTES).getLong())
                .as("where v4 keeps it")
                .isEqualTo(42L);

        byte[] flipped = bytes.clone();
        flipped[generatorAt + 7] ^= 0x01;
        assertThatThrownBy(() -> Checkpoint.parse(flipped))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessageContaining("its checksum does not match");
        // Cut inside the long, with a checksum that matches the shorter file: the structure alone must tell.
        byte[] cut = new byte[bytes.length - Integer.BYTES];
        System.arraycopy(bytes, 0, cut, 0, generatorAt + Integer.BYTES);
        assertThatThrownBy(() -> Checkpoint.parse(CraftedCheckpoints.withChecksum(cut)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("the file is truncated: the generator state needs 8 bytes but only 4 remain");
        byte[] noState = new byte[bytes.length - Long.BYTES];
        System.arraycopy(bytes, 0, noState, 0, generatorAt);
        assertThatThrownBy(() -> Checkpoint.parse(CraftedCheckpoints.withChecksum(noState)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("the file is truncated: the generator state needs 8 bytes but only 0 remain");
        // A version 3 label on a version 4 body: the long is bytes no version 3 file has.
        byte[] relabelled = bytes.clone();
        ByteBuffer.wrap(relabelled, 4, 4).putInt(3);
        assertThatThrownBy(() -> Checkpoint.parse(CraftedCheckpoints.withChecksum(relabelled)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("8 unexpected bytes after the optimizer state");
    }

    @Test
    void aFileThatIsNotACheckpointSaysSo() throws Exception {
        assertThatThrownBy(() -> Checkpoint.parse("{\"epoch\":1,\"trainLoss\":0.5}".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("not a lowbit checkpoint (no LBCK magic number)");
        byte[] future = CraftedCheckpoints.tinyCheckpoint(dir, 1);
        future[7] = 9;
        assertThatThrownBy(() -> Checkpoint.parse(future))
                .isInstanceOf(Checkpoint.DamagedException.class)
                .hasMessage("checkpoint version 9, this lowbit reads versions 2 to 4");
    }

    /** Where the dimensions start in DJL's encoding (version 3) of the float32 matrix named "weight". */
    private static int dimensionsOffset(byte[] encoded) throws Exception {
        ByteArrayOutputStream prefix = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(prefix);
        out.writeUTF("NDAR");
        out.writeInt(3);
        out.write(1);
        out.writeUTF("weight");
        out.writeUTF("DENSE");
        out.writeUTF("FLOAT32");
        out.writeInt(2);
        assertThat(Arrays.copyOf(encoded, prefix.size()))
                .as("DJL's encoding of a named float32 matrix")
                .containsExactly(prefix.toByteArray());
        return prefix.size();
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
