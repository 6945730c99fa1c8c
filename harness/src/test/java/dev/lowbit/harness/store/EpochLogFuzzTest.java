package dev.lowbit.harness.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The store's reader of epochs.jsonl, which decides where a resumed run cuts the log. The property:
 * it never throws; the epochs it keeps are numbered 1, 2, ... and each ends on a newline at the offset
 * it reports, so cutting there leaves whole lines; a problem is named in one line; and it allocates at
 * most a small multiple of the file's size.
 */
class EpochLogFuzzTest {

    private static final long BYTES_PER_INPUT_BYTE = 64;
    private static final long FIXED_ALLOWANCE = 1 << 20;

    @FuzzTest(maxDuration = "3m")
    void scansOrStopsAtTheFirstBadLine(byte[] data) throws Exception {
        Path file = Files.createTempFile("fuzz", ".jsonl");
        try {
            Files.write(file, data);
            ResultStore.scanEpochs(file); // warms up the code paths this input takes (class loading, lambdas)
            com.sun.management.ThreadMXBean threads =
                    (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
            long before = threads.getCurrentThreadAllocatedBytes();
            ResultStore.EpochScan scan = ResultStore.scanEpochs(file);
            long allocated = threads.getCurrentThreadAllocatedBytes() - before;

            assertThat(allocated)
                    .as("bytes allocated scanning %d bytes", data.length)
                    .isLessThanOrEqualTo(BYTES_PER_INPUT_BYTE * data.length + FIXED_ALLOWANCE);
            assertThat(scan.lineEnds()).hasSameSizeAs(scan.epochs());
            long previousEnd = 0;
            for (int i = 0; i < scan.epochs().size(); i++) {
                assertThat(scan.epochs().get(i).epoch()).isEqualTo(i + 1);
                long end = scan.lineEnds().get(i);
                assertThat(end).isGreaterThan(previousEnd).isLessThanOrEqualTo(data.length);
                assertThat(data[(int) end - 1])
                        .as("a kept line ends with its newline")
                        .isEqualTo((byte) '\n');
                previousEnd = end;
            }
            if (scan.problem() == null) {
                assertThat(scan.garbage()).isFalse();
                assertThat(Arrays.copyOfRange(data, (int) previousEnd, data.length))
                        .as("only blank lines after the last epoch")
                        .satisfies(rest -> assertThat(new String(rest, java.nio.charset.StandardCharsets.UTF_8))
                                .isBlank());
            } else {
                assertThat(scan.problem()).isNotBlank().doesNotContain("\n");
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
