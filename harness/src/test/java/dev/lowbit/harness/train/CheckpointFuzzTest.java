package dev.lowbit.harness.train;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The checkpoint reader over any bytes. The property: a {@link Checkpoint.DamagedException} with a
 * one-line message, or a read whose every array DJL's engine decodes to the type and shape the reader
 * reported; never another exception, and never more memory than a small multiple of the input.
 *
 * <p>In {@code mvn verify} each method replays its committed inputs (CheckpointFuzzTestInputs/METHOD/:
 * real checkpoints of a tiny model, versions 2 to 4, and crafted ones). {@code JAZZER_FUZZ=1} fuzzes one method for real
 * (README, "Threat model", has the command).
 */
class CheckpointFuzzTest {

    /** Allocation allowed per input byte (copies of sections, strings decoded), plus a constant for the rest. */
    private static final long BYTES_PER_INPUT_BYTE = 16;

    private static final long FIXED_ALLOWANCE = 1 << 20;

    /** The file as found: most mutations fail the checksum, which is the point of having one. */
    @FuzzTest(maxDuration = "3m")
    void readsOrRefuses(byte[] data) {
        check(data);
    }

    /**
     * The file with its checksum made to match, as whoever crafts a file can: the structure behind the
     * checksum must hold on its own.
     */
    @FuzzTest(maxDuration = "3m")
    void readsOrRefusesWithAValidChecksum(byte[] data) {
        byte[] fixed = data.clone();
        int version = fixed.length >= 12 ? ByteBuffer.wrap(fixed, 4, 4).getInt() : 0;
        if (version == 3 || version == 4) {
            CRC32C crc = new CRC32C();
            crc.update(fixed, 0, fixed.length - 4);
            ByteBuffer.wrap(fixed, fixed.length - 4, 4).putInt((int) crc.getValue());
        }
        check(fixed);
    }

    private static void check(byte[] data) {
        // Once unmeasured: the first pass over a code path loads classes and links lambdas, megabytes
        // that have nothing to do with the input. The reader is deterministic, so the second pass is the
        // cost of reading these bytes.
        read(data);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Object outcome = read(data);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        Checkpoint.Restored restored = outcome instanceof Checkpoint.Restored read ? read : null;
        String refusal = outcome instanceof String message ? message : null;
        assertThat(allocated)
                .as("bytes allocated reading %d bytes", data.length)
                .isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * data.length + FIXED_ALLOWANCE);
        if (refusal != null) {
            assertThat(refusal).isNotBlank().doesNotContain("\n");
            return;
        }
        assertThat(restored.generatorState().isPresent())
                .as("a generator state exactly in version 4")
                .isEqualTo(ByteBuffer.wrap(data, 4, 4).getInt() == 4);
        List<Checkpoint.StoredArray> arrays =
                new ArrayList<>(restored.parameters().values());
        restored.optimizerState().forEach(state -> arrays.addAll(state.moments()));
        try (NDManager manager = NDManager.newBaseManager()) {
            for (Checkpoint.StoredArray array : arrays) {
                NDArray decoded = array.decode(manager);
                assertThat(decoded.getShape()).isEqualTo(array.shape());
                assertThat(decoded.getDataType()).isEqualTo(array.type());
            }
        }
    }

    /** The checkpoint read, or the refusal's message; any other exception propagates as a finding. */
    private static Object read(byte[] data) {
        try {
            return Checkpoint.parse(data);
        } catch (Checkpoint.DamagedException e) {
            return e.getMessage();
        }
    }
}
