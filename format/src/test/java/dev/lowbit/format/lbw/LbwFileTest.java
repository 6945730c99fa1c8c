package dev.lowbit.format.lbw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LbwFileTest {

    @TempDir
    Path dir;

    private static int[] randomCodes(int count, int levels, long seed) {
        Random random = new Random(seed);
        return IntStream.range(0, count).map(i -> random.nextInt(levels)).toArray();
    }

    private static double[] symmetric(int levels) {
        return IntStream.range(0, levels)
                .mapToDouble(i -> i - (levels - 1) / 2.0)
                .toArray();
    }

    private static float[] randomFloats(int count, long seed) {
        Random random = new Random(seed);
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** Two quantized tensors (k=3 per tensor, k=17 per channel) and two fp32 biases. */
    static PackedModel sampleModel() {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("architecture", "fcnn-small");
        metadata.put("quantizer", "ternary");
        metadata.put("scale", "absmean per-tensor");
        metadata.put("input", "1x28x28");
        metadata.put("classes", "10");
        metadata.put("mean", "0.2860");
        metadata.put("std", "0.3530 σ");
        return new PackedModel(
                metadata,
                List.of(
                        new QuantizedTensor(
                                "0.weight",
                                new long[] {16, 20},
                                symmetric(3),
                                randomCodes(320, 3, 1),
                                new long[] {1},
                                new float[] {0.042f}),
                        new Fp32Tensor("0.bias", new long[] {16}, randomFloats(16, 2)),
                        new QuantizedTensor(
                                "1.weight",
                                new long[] {10, 16},
                                symmetric(17),
                                randomCodes(160, 17, 3),
                                new long[] {10, 1},
                                randomFloats(10, 4)),
                        new Fp32Tensor("1.bias", new long[] {10}, randomFloats(10, 5))));
    }

    /**
     * What version 2 adds: a tensor in groups of 4 (rows of 10: groups of 4, 4 and 2) with zero points and
     * its trained step as an extra, beside a version-1 style tensor and a bias.
     */
    static PackedModel version2Model() {
        return new PackedModel(
                Map.of("quantizer", "k4@minmax/group:4"),
                List.of(
                        new QuantizedTensor(
                                "0.weight",
                                new long[] {2, 10},
                                new double[] {-2, -1, 0, 1},
                                randomCodes(20, 4, 6),
                                new long[] {2, 3},
                                new float[] {0.5f, 0.25f, 0.125f, 1, 2, 4},
                                4,
                                new float[] {0, -1, 1, 0, 1, -1},
                                List.of(new Fp32Tensor(
                                        "scale", new long[] {6, 1}, new float[] {0.5f, 0.25f, 0.125f, 1, 2, 4}))),
                        new QuantizedTensor(
                                "1.weight",
                                new long[] {3, 2},
                                symmetric(3),
                                randomCodes(6, 3, 7),
                                new long[] {3, 1},
                                new float[] {0.1f, 0.2f, 0.3f}),
                        new Fp32Tensor("1.bias", new long[] {3}, randomFloats(3, 8))));
    }

    private Path writeSample() {
        Path file = dir.resolve("model.lbw");
        LbwFile.write(sampleModel(), file);
        return file;
    }

    /** Sets both checksums right again after a test patched the bytes. */
    private static byte[] rechecksum(byte[] bytes) {
        ByteBuffer view = ByteBuffer.wrap(bytes);
        view.putInt(16, crc(bytes, 16));
        view.putInt(bytes.length - 4, crc(bytes, bytes.length - 4));
        return bytes;
    }

    private static int crc(byte[] bytes, int length) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, length);
        return (int) crc.getValue();
    }

    private static String hex(int value) {
        return String.format("%08x", value);
    }

    private void assertReadFails(Path file, String message) {
        assertThatThrownBy(() -> LbwFile.read(file))
                .isInstanceOf(LbwFormatException.class)
                .hasMessage(message);
    }

    @Test
    void roundTripsContentAndAccountsForEveryByte() throws IOException {
        Path file = dir.resolve("model.lbw");
        ByteAccount written = LbwFile.write(sampleModel(), file);
        LoadedModel loaded = LbwFile.read(file);

        assertThat(loaded.model()).isEqualTo(sampleModel());
        assertThat(loaded.model().metadata().keySet())
                .containsExactly("architecture", "quantizer", "scale", "input", "classes", "mean", "std");
        assertThat(loaded.bytes()).isEqualTo(written);
        assertThat(written.fileBytes()).isEqualTo(Files.size(file));
        long sections = written.tensors().stream()
                .mapToLong(ByteAccount.TensorBytes::sectionBytes)
                .sum();
        assertThat(written.headerBytes() + sections + written.checksumBytes()).isEqualTo(Files.size(file));
        assertThat(written.tensors())
                .extracting(ByteAccount.TensorBytes::name)
                .containsExactly("0.weight", "0.bias", "1.weight", "1.bias");
        assertThat(written.tensors().get(0).payloadBytes())
                .isEqualTo(RadixPacking.forLevels(3).packedBytes(320));
        assertThat(written.tensors().get(2).payloadBytes())
                .isEqualTo(RadixPacking.forLevels(17).packedBytes(160));
        assertThat(written.tensors().get(1).payloadBytes()).isEqualTo(64);
        assertThat(written.quantizedElements()).isEqualTo(480);
    }

    @Test
    void writesVersion2WithGroupSizesZeroPointsAndExtrasThatReadBackEqual() throws IOException {
        Path file = dir.resolve("v2.lbw");
        ByteAccount written = LbwFile.write(version2Model(), file);
        LoadedModel loaded = LbwFile.read(file);

        assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4)).isEqualTo(2);
        assertThat(loaded.model()).isEqualTo(version2Model());
        QuantizedTensor grouped = (QuantizedTensor) loaded.model().tensor("0.weight");
        assertThat(grouped.groupSize()).isEqualTo(4);
        assertThat(grouped.zeroPoints()).containsExactly(0, -1, 1, 0, 1, -1);
        assertThat(grouped.extras()).extracting(Fp32Tensor::name).containsExactly("scale");
        assertThat(loaded.bytes()).isEqualTo(written);
        // The section of a tensor without zero points or extras: version 1's plus 4 + 1 + 4 bytes.
        long k3 = 1
                + (4 + 8)
                + (4 + 16)
                + 4
                + 3 * 8
                + 4
                + 4
                + 8
                + RadixPacking.forLevels(3).packedBytes(6)
                + (4 + 16)
                + 3 * 4;
        assertThat(written.tensors().get(1).sectionBytes()).isEqualTo(k3 + 4 + 1 + 4);
    }

    /** A file the version-1 writer wrote (the sample model, kept as a resource) reads exactly as then. */
    @Test
    void readsAVersion1FileAsBroadcastScalesWithoutZeroPointsOrExtras() throws IOException {
        Path file = dir.resolve("v1.lbw");
        try (var in = LbwFileTest.class.getResourceAsStream("version-1-sample.lbw")) {
            Files.write(file, in.readAllBytes());
        }
        assertThat(ByteBuffer.wrap(Files.readAllBytes(file)).getInt(4)).isEqualTo(1);

        LoadedModel loaded = LbwFile.read(file);

        assertThat(loaded.model()).isEqualTo(sampleModel());
        assertThat(loaded.bytes().fileBytes()).isEqualTo(Files.size(file));
        for (PackedTensor tensor : loaded.model().tensors()) {
            if (tensor instanceof QuantizedTensor quantized) {
                assertThat(quantized.groupSize()).isZero();
                assertThat(quantized.zeroPoints()).isNull();
                assertThat(quantized.extras()).isEmpty();
            }
        }
        Path again = dir.resolve("v2.lbw");
        LbwFile.write(loaded.model(), again);
        assertThat(LbwFile.read(again).model()).isEqualTo(sampleModel());
    }

    @Test
    void rejectsAZeroPointFlagOtherThanZeroOrOneAndGroupScalesOfAnotherShape() throws IOException {
        Path file = dir.resolve("v2.lbw");
        QuantizedTensor tensor = new QuantizedTensor(
                "w",
                new long[] {2, 10},
                symmetric(3),
                randomCodes(20, 3, 9),
                new long[] {2, 3},
                new float[] {1, 2, 3, 4, 5, 6},
                4,
                null,
                List.of());
        LbwFile.write(new PackedModel(Map.of(), List.of(tensor)), file);
        byte[] original = Files.readAllBytes(file);
        // The tensor ends with int group size, byte flag, int extras count; then the checksum.
        int flag = original.length - 4 - 4 - 1;
        byte[] bytes = original.clone();
        bytes[flag] = 2;
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': tensor 1 of 1 ('w'): a zero-point flag of 2, not"
                        + " 0 or 1; re-export it with 'lowbit export'.");
        bytes = original.clone();
        ByteBuffer.wrap(bytes).putInt(flag - 4, 3);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': tensor 1 of 1 ('w'): Tensor 'w' of shape [2, 10]"
                        + " in groups of 3 needs scale shape [2, 4], got [2, 3]; re-export it with 'lowbit export'.");
        bytes = original.clone();
        ByteBuffer.wrap(bytes).putInt(flag + 1, Integer.MAX_VALUE);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': tensor 1 of 1 ('w') runs past the end of the data;"
                        + " re-export it with 'lowbit export'.");
    }

    @Test
    void roundTripsAnEmptyModelAndAnEmptyTensor() {
        Path file = dir.resolve("empty.lbw");
        PackedModel empty = new PackedModel(
                Map.of(),
                List.of(new QuantizedTensor(
                        "w", new long[] {0, 5}, symmetric(5), new int[0], new long[] {1}, new float[] {1})));
        LbwFile.write(empty, file);
        assertThat(LbwFile.read(file).model()).isEqualTo(empty);
        PackedModel nothing = new PackedModel(Map.of(), List.of());
        LbwFile.write(nothing, file);
        assertThat(LbwFile.read(file).model()).isEqualTo(nothing);
    }

    @Test
    void packsCodesWithinTwoPercentOfLog2K() {
        for (int levels : new int[] {3, 5, 9, 17}) {
            QuantizedTensor tensor = new QuantizedTensor(
                    "w",
                    new long[] {100, 1000},
                    symmetric(levels),
                    randomCodes(100_000, levels, levels),
                    new long[] {100, 1},
                    randomFloats(100, levels));
            ByteAccount bytes = LbwFile.write(new PackedModel(Map.of(), List.of(tensor)), dir.resolve("k.lbw"));
            double ideal = Math.log(levels) / Math.log(2);
            assertThat(bytes.tensors().get(0).payloadBitsPerElement())
                    .as("k=%d", levels)
                    .isLessThanOrEqualTo(1.02 * ideal)
                    .isGreaterThanOrEqualTo(ideal);
            assertThat(bytes.packedBitsPerQuantizedWeight())
                    .isEqualTo(bytes.tensors().get(0).payloadBitsPerElement());
            assertThat(LbwFile.read(dir.resolve("k.lbw")).model().tensors()).containsExactly(tensor);
        }
    }

    @Test
    void reportsAFlippedByteAsDamage() throws IOException {
        Path file = writeSample();
        byte[] original = Files.readAllBytes(file);
        ByteAccount bytes = LbwFile.read(file).bytes();
        int n = original.length;
        int payload = (int) bytes.headerBytes() + 100; // inside tensor 1's packed codes
        for (int position : new int[] {30, (int) bytes.headerBytes() - 1, payload, n - 10, n - 1}) {
            byte[] damaged = original.clone();
            damaged[position] ^= 0x5A;
            Files.write(file, damaged);
            int stored = ByteBuffer.wrap(damaged).getInt(n - 4);
            assertReadFails(
                    file,
                    "Corrupt packed model '" + file + "': checksum mismatch (stored " + hex(stored) + ", computed "
                            + hex(crc(damaged, n - 4)) + "); the file was modified or damaged.");
        }
        for (int position : new int[] {8, 15, 17}) {
            byte[] damaged = original.clone();
            damaged[position] ^= 0x01;
            Files.write(file, damaged);
            assertReadFails(
                    file,
                    "Corrupt packed model '" + file + "': header checksum mismatch (stored "
                            + hex(ByteBuffer.wrap(damaged).getInt(16)) + ", computed " + hex(crc(damaged, 16))
                            + "); the file was modified or damaged.");
        }
        byte[] badMagic = original.clone();
        badMagic[1] ^= 0x01;
        Files.write(file, badMagic);
        assertReadFails(file, "Not a packed model '" + file + "': it does not start with the LBW magic bytes.");
        byte[] badVersion = original.clone();
        badVersion[7] ^= 0x04;
        Files.write(file, badVersion);
        assertReadFails(
                file,
                "Unsupported packed model '" + file + "': format version 6 is newer than this lowbit knows (it"
                        + " reads up to format version 2): upgrade lowbit to read it.");
    }

    @Test
    void reportsWhereATruncatedFileEnds() throws IOException {
        Path file = writeSample();
        byte[] original = Files.readAllBytes(file);
        ByteAccount bytes = LbwFile.read(file).bytes();
        int n = original.length;
        int third = (int) (bytes.headerBytes()
                + bytes.tensors().get(0).sectionBytes()
                + bytes.tensors().get(1).sectionBytes());
        String prefix = "Truncated packed model '" + file + "': the file ";
        String advice = "; re-export it with 'lowbit export'.";
        Map<Integer, String> expected = new LinkedHashMap<>();
        expected.put(0, "is empty");
        expected.put(3, "ends inside the header after 3 bytes");
        expected.put(6, "ends inside the header after 6 bytes");
        expected.put(19, "ends inside the header after 19 bytes");
        expected.put(22, "ends inside the header after 22 of " + n + " bytes");
        expected.put(30, "ends inside metadata entry 1 of 7 after 30 of " + n + " bytes");
        expected.put(third + 3, "ends inside tensor 3 of 4 after " + (third + 3) + " of " + n + " bytes");
        expected.put(
                third + 40, "ends inside tensor 3 of 4 ('1.weight') after " + (third + 40) + " of " + n + " bytes");
        expected.put(n - 5, "ends inside tensor 4 of 4 ('1.bias') after " + (n - 5) + " of " + n + " bytes");
        expected.put(n - 2, "ends inside the checksum after " + (n - 2) + " of " + n + " bytes");
        for (Map.Entry<Integer, String> cut : expected.entrySet()) {
            Files.write(file, Arrays.copyOf(original, cut.getKey()));
            assertReadFails(file, prefix + cut.getValue() + advice);
        }
    }

    @Test
    void failsEveryDamagedOrTruncatedCopyWithOneLineNamingTheFile() throws IOException {
        byte[] original = Files.readAllBytes(writeSample());
        for (int i = 0; i < original.length; i++) {
            byte[] cut = Arrays.copyOf(original, i);
            byte[] flipped = original.clone();
            flipped[i] ^= (byte) (1 << (i % 8));
            for (byte[] bad : List.of(cut, flipped)) {
                assertThatThrownBy(() -> new LbwReader("x.lbw", bad).read())
                        .as("position %d", i)
                        .isInstanceOf(LbwFormatException.class)
                        .hasMessageContaining("packed model 'x.lbw': ")
                        .hasMessageNotContaining("\n");
            }
        }
    }

    @Test
    void rejectsAnotherFormatVersion() throws IOException {
        Path file = writeSample();
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer.wrap(bytes).putInt(4, 7);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Unsupported packed model '" + file + "': format version 7 is newer than this lowbit knows (it"
                        + " reads up to format version 2): upgrade lowbit to read it.");
        ByteBuffer.wrap(bytes).putInt(4, 0);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Unsupported packed model '" + file + "': format version 0, this lowbit reads "
                        + "versions 1 to 2; export it again with this lowbit.");
    }

    @Test
    void rejectsAFileThatIsNotAPackedModel() throws IOException {
        Path file = dir.resolve("notes.lbw");
        Files.writeString(file, "hello, world");
        assertReadFails(file, "Not a packed model '" + file + "': it does not start with the LBW magic bytes.");
        Files.writeString(file, "PK");
        assertReadFails(file, "Not a packed model '" + file + "': it does not start with the LBW magic bytes.");
    }

    @Test
    void rejectsBytesBeyondTheDeclaredLength() throws IOException {
        Path file = writeSample();
        byte[] original = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(original, original.length + 1));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': the file holds " + (original.length + 1)
                        + " bytes but its header declares " + original.length + "; the file was modified or damaged.");
    }

    @Test
    void rejectsAGroupSizeThatDoesNotMatchItsWidthEvenWithValidChecksums() throws IOException {
        Path file = writeSample();
        byte[] bytes = Files.readAllBytes(file);
        int header = (int) LbwFile.read(file).bytes().headerBytes();
        // kind, name "0.weight", rank-2 shape, k, 3 alphabet doubles, then g
        int groupOffset = header + 1 + (4 + 8) + (4 + 16) + 4 + 24;
        assertThat(ByteBuffer.wrap(bytes).getInt(groupOffset)).isEqualTo(29);
        ByteBuffer.wrap(bytes).putInt(groupOffset, 28);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': tensor 1 of 4 ('0.weight'): codes of k=3 "
                        + "packed 28 in 46 bits per group, which radix packing never writes; re-export it with 'lowbit export'.");
        bytes[header] = 9;
        ByteBuffer.wrap(bytes).putInt(groupOffset, 29);
        Files.write(file, rechecksum(bytes));
        assertReadFails(
                file,
                "Corrupt packed model '" + file + "': tensor 1 of 4 ('0.weight'): unknown tensor "
                        + "kind 9; re-export it with 'lowbit export'.");
    }

    @Test
    void reportsAMissingFileInOneLine() {
        Path file = dir.resolve("missing.lbw");
        assertThatThrownBy(() -> LbwFile.read(file))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("Cannot read packed model '" + file + "': no such file or directory");
    }

    @Test
    void refusesADeviceOrADirectoryWithoutReadingIt() {
        // /dev/zero reports size 0 and never ends: reading it ran until the heap did.
        assertReadFails(
                Path.of("/dev/zero"),
                "Not a packed model '/dev/zero': it is not a regular file but a device,"
                        + " pipe or socket; pass the .lbw file that 'lowbit export' or 'lowbit run' wrote.");
        assertReadFails(
                dir,
                "Not a packed model '" + dir + "': it is a directory; pass the .lbw file that"
                        + " 'lowbit export' or 'lowbit run' wrote.");
    }

    @Test
    void readsAFileThroughASymbolicLink() throws IOException {
        Path file = writeSample();
        Path link = Files.createSymbolicLink(dir.resolve("link.lbw"), file);
        assertThat(LbwFile.read(link).model()).isEqualTo(sampleModel());
    }

    @Test
    void replacesAnExistingFileWithoutLeavingTemporaryFiles() throws IOException {
        Path file = dir.resolve("out/model.lbw");
        LbwFile.write(new PackedModel(Map.of("run", "old"), List.of()), file);
        LbwFile.write(sampleModel(), file);
        assertThat(LbwFile.read(file).model()).isEqualTo(sampleModel());
        try (var listing = Files.list(file.getParent())) {
            assertThat(listing).containsExactly(file);
        }
    }
}
