package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.data.IdxFiles;
import dev.lowbit.harness.export.PackedModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crafted headers that declare gigabytes, given to a real {@code lowbit} in a child JVM limited to
 * 256 MB of heap: each must be one line and exit 2, never an OutOfMemoryError. Before the fix, each
 * of these allocated 2 GB or more (or, for {@code /dev/zero}, read until the heap ran out).
 */
class AllocationBoundCliTest {

    private static final List<String> SMALL_HEAP = List.of("-Xmx256m");

    @TempDir
    Path dir;

    private record Outcome(int exitCode, String log) {}

    private Outcome lowbitIn256m(String... args) throws Exception {
        Path log = Files.createTempFile(dir, "child", ".log");
        Process child = ChildLowbit.startWith(log, SMALL_HEAP, args);
        if (!child.waitFor(3, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new AssertionError("lowbit " + String.join(" ", args) + " did not finish in 3 minutes");
        }
        return new Outcome(child.exitValue(), Files.readString(log));
    }

    /**
     * The child's output and errors share one log: {@code run} prints its engine line and its plan first, then the
     * one error line.
     */
    private static void assertOneLineRefusal(Outcome outcome, String start) {
        assertThat(outcome.log()).doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        assertThat(outcome.log().lines().filter(line -> line.startsWith("lowbit: ")))
                .singleElement()
                .asString()
                .startsWith(start);
        assertThat(outcome.log().lines().filter(line -> !line.startsWith("Suite '") && !line.startsWith("engine: ")))
                .hasSize(1);
        assertThat(outcome.exitCode()).as(outcome.log()).isEqualTo(2);
    }

    @Test
    void aSixteenByteImagesFileDeclaring2739000ImagesIsRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("raw"));
        IdxFiles.writeTinyDataset(data, false);
        Path images = IdxFiles.write(
                data.resolve("train-images-idx3-ubyte"),
                IdxFiles.idx(new int[] {2_739_000, 28, 28}, new byte[0]),
                false);

        Outcome outcome = lowbitIn256m(
                "run", "--data", data.toString(), "--out", dir.resolve("out").toString());

        assertOneLineRefusal(
                outcome,
                "lowbit: Corrupt IDX file '" + images + "': truncated: header declares"
                        + " [2739000, 28, 28] = 2147376000 bytes of data after its 16-byte header, but the file holds 16 bytes.");
    }

    @Test
    void aTinyGzipLabelsFileDeclaring2147483000LabelsIsRefused() throws Exception {
        Path data = Files.createDirectories(dir.resolve("gz"));
        IdxFiles.writeTinyDataset(data, true);
        Path labels = IdxFiles.write(
                data.resolve("train-labels-idx1-ubyte.gz"),
                IdxFiles.idx(new int[] {2_147_483_000}, new byte[1000]),
                true);
        assertThat(Files.size(labels)).isLessThan(100);

        Outcome outcome = lowbitIn256m(
                "run", "--data", data.toString(), "--out", dir.resolve("out").toString());

        assertOneLineRefusal(
                outcome,
                "lowbit: Corrupt IDX file '" + labels + "': truncated: header declares"
                        + " [2147483000] = 2147483000 bytes of data but the gzip stream ends after 1000.");
    }

    @Test
    void aPackedModelDeclaringAHugeInputIsRefusedBeforeAnythingIsAllocatedForIt() throws Exception {
        Path model = PackedModelFiles.untrained(dir.resolve("model.lbw"), "ternary");
        Path huge = PackedModelFiles.withEntry(
                model, dir.resolve("huge.lbw"), PackedModelFiles.INPUT_SHAPE, "1,100000,100000");

        assertOneLineRefusal(
                lowbitIn256m("eval", huge.toString()),
                "lowbit: Packed model '" + huge
                        + "' has an invalid header entry input.shape='1,100000,100000': an image of more than 16777216 values");

        // Within the bound, but not the data's shape: refused by comparing with the data, still before building.
        Path data = Files.createDirectories(dir.resolve("data"));
        IdxFiles.writeTinyDataset(data, true);
        Path large = PackedModelFiles.withEntry(
                model, dir.resolve("large.lbw"), PackedModelFiles.INPUT_SHAPE, "1,4000,4000");
        assertOneLineRefusal(
                lowbitIn256m("eval", large.toString(), "--data", data.toString()),
                "lowbit: Packed model '" + large + "' takes images of 1x4000x4000");
    }

    @Test
    void devZeroIsRefusedUnread() throws Exception {
        assertOneLineRefusal(
                lowbitIn256m("eval", "/dev/zero"),
                "lowbit: Not a packed model '/dev/zero': it is not a regular file but a device, pipe or socket;");
    }
}
