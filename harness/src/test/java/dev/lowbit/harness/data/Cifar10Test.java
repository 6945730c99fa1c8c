package dev.lowbit.harness.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.harness.BadInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar10Test {

    private static final String FIX = ". Download the CIFAR-10 binary version and pass --data DIR.";

    @TempDir
    Path dir;

    /** Tiny files are not the standard 10,000 records, so tests read with any count allowed. */
    private static LabeledImages load(Path data) {
        return Cifar10.locate(data, null, 0).load();
    }

    @Test
    void readsTheSixFilesIntoChannelFirstImagesInFileOrder() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        LabeledImages data = load(dir);
        assertThat(data.name()).isEqualTo("cifar-10");
        assertThat(data.classes()).isEqualTo(10);
        assertThat(data.directory()).isEqualTo(dir);
        ImageSet train = data.train();
        assertThat(train.size()).isEqualTo(10);
        assertThat(train.channels()).isEqualTo(3);
        assertThat(train.rows()).isEqualTo(32);
        assertThat(train.cols()).isEqualTo(32);
        assertThat(train.labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(data.test().labels()).containsExactly(0);
        for (int image : new int[] {0, 3, 9}) {
            for (int[] at : new int[][] {{0, 0, 0}, {1, 5, 7}, {2, 31, 0}, {2, 0, 31}, {1, 31, 31}}) {
                int actual = train.pixels()[image * 3072 + at[0] * 1024 + at[1] * 32 + at[2]] & 0xFF;
                assertThat(actual)
                        .as("image %d channel %d row %d col %d", image, at[0], at[1], at[2])
                        .isEqualTo(CifarFiles.pixel(image, at[0], at[1], at[2]));
            }
        }
        assertThat(data.test().pixels()[2 * 1024 + 4 * 32 + 6] & 0xFF).isEqualTo(CifarFiles.pixel(100, 2, 4, 6));
    }

    @Test
    void hashesEveryFileRead() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        Map<String, String> sha256 = load(dir).sha256();
        assertThat(sha256).containsOnlyKeys(Cifar10.ALL_FILES);
        assertThat(sha256.get("test_batch.bin")).isEqualTo(sha256(dir.resolve("test_batch.bin")));
    }

    @Test
    void acceptsTheParentOfTheBatchesFolder() throws Exception {
        Path folder = CifarFiles.writeTinyDataset(dir.resolve("cifar-10-batches-bin"));
        assertThat(Cifar10.locate(dir, null).location()).isEqualTo(folder);
        assertThat(load(dir).train().size()).isEqualTo(10);
    }

    @Test
    void looksInTheEnvironmentFolderWhenNoDataOptionIsGiven() throws Exception {
        Path folder = CifarFiles.writeTinyDataset(dir.resolve("env").resolve("cifar-10-batches-bin"));
        assertThat(Cifar10.locate(null, dir.resolve("env").toString()).location())
                .isEqualTo(folder);
    }

    @Test
    void readsTheArchiveInPlaceFromItsFolderOrItself() throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("cifar-10-batches-bin/batches.meta.txt", "airplane\n".getBytes(StandardCharsets.UTF_8));
        // Out of order on purpose: images must still land in data_batch_1..5 order.
        CifarFiles.tinyDataset().entrySet().stream()
                .sorted(Map.Entry.comparingByKey(java.util.Comparator.reverseOrder()))
                .forEach(e -> entries.put("cifar-10-batches-bin/" + e.getKey(), e.getValue()));
        Path archive = Files.write(dir.resolve("cifar-10-binary.tar.gz"), CifarFiles.tarGz(entries));
        CifarFiles.writeTinyDataset(dir.resolve("unpacked"));
        LabeledImages unpacked = load(dir.resolve("unpacked"));

        for (Path data : new Path[] {dir, archive}) {
            LabeledImages packed = load(data);
            assertThat(packed.directory()).isEqualTo(archive);
            assertThat(packed.train().labels()).isEqualTo(unpacked.train().labels());
            assertThat(Arrays.equals(packed.train().pixels(), unpacked.train().pixels()))
                    .isTrue();
            assertThat(Arrays.equals(packed.test().pixels(), unpacked.test().pixels()))
                    .isTrue();
            assertThat(packed.sha256()).containsExactly(Map.entry("cifar-10-binary.tar.gz", sha256(archive)));
        }
    }

    @Test
    void rejectsATruncatedArchive() throws Exception {
        CifarFiles.writeTinyDataset(dir.resolve("unpacked"));
        Map<String, byte[]> entries = CifarFiles.tinyDataset();
        byte[] whole = CifarFiles.tarGz(entries);
        Path archive = Files.write(dir.resolve("cifar-10-binary.tar.gz"), Arrays.copyOf(whole, whole.length - 40));
        assertThatThrownBy(() -> load(archive))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith("Corrupt CIFAR-10 archive '" + archive + "': truncated or not gzip (")
                .hasMessageEndingWith(
                        "). Download the CIFAR-10 binary version again, or unpack it and pass --data DIR.");
    }

    @Test
    void rejectsAnArchiveWithoutTheBinaryFiles() throws Exception {
        Path archive = Files.write(
                dir.resolve("cifar-10-python.tar.gz"),
                CifarFiles.tarGz(Map.of("cifar-10-batches-py/data_batch_1", new byte[10])));
        assertThatThrownBy(() -> load(archive))
                .hasMessage("CIFAR-10 archive '" + archive + "' lacks data_batch_1.bin, data_batch_2.bin,"
                        + " data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin; it is not the binary"
                        + " version. Download the CIFAR-10 binary version and pass --data DIR.");
    }

    @Test
    void rejectsAFileThatIsNotAWholeNumberOfRecords() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        Path file = dir.resolve("data_batch_3.bin");
        Files.write(file, Arrays.copyOf(Files.readAllBytes(file), 2 * 3073 - 5));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage(
                        "Corrupt CIFAR-10 file '" + file + "': 6141 bytes is not a whole number of 3073-byte records"
                                + " (1 label + 3072 pixels)" + FIX);
    }

    @Test
    void insistsOnTenThousandRecordsPerStandardFile() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        assertThatThrownBy(() -> Cifar10.locate(dir, null).load())
                .hasMessage("Corrupt CIFAR-10 file '" + dir.resolve("data_batch_1.bin") + "': 6146 bytes, expected"
                        + " 30730000 (10000 records of 3073 bytes: 1 label + 3072 pixels); it is truncated or not the"
                        + " binary version" + FIX);
        assertThat(CifarRecords.count("f", 30_730_000L, 10_000)).isEqualTo(10_000);
        assertThatThrownBy(() -> CifarRecords.count("f", 30_730_000L + 3073, 10_000))
                .hasMessageContaining("it is too long or not the binary version");
    }

    @Test
    void rejectsAnEmptyFile() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        Files.write(dir.resolve("test_batch.bin"), new byte[0]);
        assertThatThrownBy(() -> load(dir))
                .hasMessage("Corrupt CIFAR-10 file '" + dir.resolve("test_batch.bin") + "': the file is empty" + FIX);
    }

    @Test
    void rejectsALabelOutsideTheTenClasses() throws Exception {
        CifarFiles.writeTinyDataset(dir);
        Path file = dir.resolve("data_batch_2.bin");
        byte[] bytes = Files.readAllBytes(file);
        bytes[3073] = 10;
        Files.write(file, bytes);
        assertThatThrownBy(() -> load(dir))
                .hasMessage("Corrupt CIFAR-10 file '" + file
                        + "': label 10 at record 1 is not one of the 10 classes 0-9" + FIX);
    }

    @Test
    void aFolderMissingAFileSaysWhichAndHowToFix() throws Exception {
        Path folder = CifarFiles.writeTinyDataset(dir.resolve("cifar-10-batches-bin"));
        Files.delete(folder.resolve("test_batch.bin"));
        assertThatThrownBy(() -> load(dir))
                .isInstanceOf(BadInputException.class)
                .hasMessage("CIFAR-10 not found; looked in '" + dir + "' ('" + folder + "' lacks test_batch.bin) for"
                        + " data_batch_1.bin .. data_batch_5.bin and test_batch.bin, a cifar-10-batches-bin folder"
                        + " holding them, or cifar-10-binary.tar.gz. Download the CIFAR-10 binary version ('lowbit"
                        + " datasets download cifar-10 --to DIR') and pass --data DIR: the archive, its"
                        + " cifar-10-batches-bin folder, or that folder's parent.");
    }

    @Test
    void withoutDataOptionSaysEverywhereItLooked() {
        Path env = dir.resolve("nothing-here");
        Path home = Path.of(System.getProperty("user.home"), ".lowbit", "datasets", "cifar-10");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(home), "CIFAR-10 is installed in the home folder");
        assertThatThrownBy(() -> Cifar10.locate(null, env.toString()).location())
                .hasMessage("CIFAR-10 not found; looked in '" + env + "', '" + home + "' for data_batch_1.bin .."
                        + " data_batch_5.bin and test_batch.bin, a cifar-10-batches-bin folder holding them, or"
                        + " cifar-10-binary.tar.gz. Run 'lowbit datasets download cifar-10' (it saves to"
                        + " ~/.lowbit/datasets/cifar-10), or download the CIFAR-10 binary version and pass --data DIR,"
                        + " set LOWBIT_DATA, or unpack it into ~/.lowbit/datasets/cifar-10.");
    }

    private static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
