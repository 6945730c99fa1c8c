package dev.lowbit.harness.data;

import static dev.lowbit.harness.data.IdxFiles.idx;
import static dev.lowbit.harness.data.IdxFiles.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.harness.BadInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    private static final byte[] PIXELS = {0, 1, 2, 3, 4, 5, (byte) 250, (byte) 255, 9, 10, 11, 12};

    @Test
    void readsRawFiles() throws Exception {
        Path file = write(dir.resolve("images"), idx(new int[] {3, 2, 2}, PIXELS), false);
        IdxReader.IdxData data = IdxReader.read(file, 3);
        assertThat(data.dimensions()).containsExactly(3, 2, 2);
        assertThat(data.data()).containsExactly(PIXELS);
    }

    @Test
    void readsGzippedFilesWhateverTheirName() throws Exception {
        Path file = write(dir.resolve("images-without-gz-suffix"), idx(new int[] {3, 2, 2}, PIXELS), true);
        assertThat(IdxReader.read(file, 3).data()).containsExactly(PIXELS);
    }

    @Test
    void rejectsATruncatedFileNamingIt() throws Exception {
        byte[] whole = idx(new int[] {3, 2, 2}, PIXELS);
        Path file = write(dir.resolve("truncated"), Arrays.copyOf(whole, whole.length - 5), false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Corrupt IDX file '" + file + "': truncated: header declares [3, 2, 2] = 12 bytes of data"
                        + " after its 16-byte header, but the file holds 23 bytes. Reinstall the dataset"
                        + " (apt-get install --reinstall dataset-fashion-mnist) or fix --data.");
    }

    @Test
    void rejectsATruncatedGzipFile() throws Exception {
        Path whole = write(dir.resolve("whole.gz"), idx(new int[] {3, 2, 2}, PIXELS), true);
        byte[] gz = Files.readAllBytes(whole);
        Path file = write(dir.resolve("cut.gz"), Arrays.copyOf(gz, gz.length / 2), false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Corrupt IDX file '" + file + "': truncated");
    }

    @Test
    void rejectsAFileCutInsideItsHeader() throws Exception {
        Path file = write(dir.resolve("header"), new byte[] {0, 0, 8, 3, 0, 0}, false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .hasMessageStartingWith("Corrupt IDX file '" + file + "': truncated: the file ends inside its header.");
    }

    @Test
    void rejectsAWrongMagicNumber() throws Exception {
        byte[] content = idx(new int[] {3, 2, 2}, PIXELS);
        content[2] = 0x0D; // float data instead of unsigned bytes
        Path file = write(dir.resolve("magic"), content, false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .hasMessageStartingWith("Corrupt IDX file '" + file
                        + "': wrong magic number 0x00000D03, expected 0x00000803 (unsigned bytes, 3 dimensions).");
    }

    @Test
    void rejectsLabelsWhereImagesAreExpected() throws Exception {
        Path file = write(dir.resolve("labels"), idx(new int[] {12}, PIXELS), false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .hasMessageStartingWith(
                        "Corrupt IDX file '" + file + "': wrong magic number 0x00000801, expected 0x00000803");
    }

    @Test
    void rejectsTrailingBytes() throws Exception {
        byte[] whole = idx(new int[] {3, 2, 2}, PIXELS);
        Path file = write(dir.resolve("long"), Arrays.copyOf(whole, whole.length + 3), false);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .hasMessageStartingWith(
                        "Corrupt IDX file '" + file + "': longer than its header declares: header"
                                + " declares [3, 2, 2] = 12 bytes of data after its 16-byte header, but the file holds 31 bytes.");
    }

    @Test
    void rejectsTrailingBytesInAGzipStream() throws Exception {
        byte[] whole = idx(new int[] {3, 2, 2}, PIXELS);
        Path file = write(dir.resolve("long.gz"), Arrays.copyOf(whole, whole.length + 3), true);
        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .hasMessageStartingWith("Corrupt IDX file '" + file + "': longer than its header declares [3, 2, 2].");
    }

    /** 16 bytes declaring 2,739,000 images of 28x28: 2.1 GB that are not there. */
    @Test
    void refusesARawHeaderDeclaringMoreThanTheFileHoldsBeforeAllocatingIt() throws Exception {
        Path file = write(dir.resolve("bomb"), idx(new int[] {2_739_000, 28, 28}, new byte[0]), false);
        long before = AllocationMeter.allocatedBytes();

        assertThatThrownBy(() -> IdxReader.read(file, 3))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Corrupt IDX file '" + file + "': truncated: header declares [2739000, 28, 28]"
                        + " = 2147376000 bytes of data after its 16-byte header, but the file holds 16 bytes.");
        assertThat(AllocationMeter.allocatedBytes() - before).isLessThan(1 << 20);
    }

    /** A tiny .gz whose header declares 2,147,483,000 labels: the stream's data is read as it arrives. */
    @Test
    void refusesAGzipHeaderDeclaringMoreThanTheStreamHoldsAllocatingOnlyWhatArrives() throws Exception {
        Path file = write(dir.resolve("bomb.gz"), idx(new int[] {2_147_483_000}, new byte[100_000]), true);
        long before = AllocationMeter.allocatedBytes();

        assertThatThrownBy(() -> IdxReader.read(file, 1))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Corrupt IDX file '" + file + "': truncated: header declares [2147483000] ="
                        + " 2147483000 bytes of data but the gzip stream ends after 100000.");
        assertThat(AllocationMeter.allocatedBytes() - before).isLessThan(4 << 20);
    }

    @Test
    void readsAGzipStreamLargerThanItsFirstBuffer() throws Exception {
        byte[] pixels = new byte[300_000];
        new java.util.Random(7).nextBytes(pixels);
        Path file = write(dir.resolve("big.gz"), idx(new int[] {3, 100, 1000}, pixels), true);
        assertThat(IdxReader.read(file, 3).data()).isEqualTo(pixels);
    }

    @Test
    void refusesADeviceOrADirectoryWithoutReadingIt() {
        assertThatThrownBy(() -> IdxReader.read(Path.of("/dev/zero"), 3))
                .isInstanceOf(BadInputException.class)
                .hasMessage("Cannot read dataset file '/dev/zero': it is not a regular file (a directory, device, pipe"
                        + " or socket). Point --data at a folder holding the dataset's files.");
        assertThatThrownBy(() -> IdxReader.read(dir, 3)).hasMessageContaining("it is not a regular file");
    }
}
