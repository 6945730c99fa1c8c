package dev.lowbit.harness.data;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.lowbit.harness.BadInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * The CIFAR-10 readers (the .tar.gz archive read in place, and the folder of six .bin files) on
 * crafted input: they return the images and labels the files hold, or refuse them with one
 * {@link BadInputException} line; never another exception, and never an allocation out of
 * proportion to the bytes the input really holds (decompressed, for the archive).
 *
 * <p>The structured targets build their input from the fuzzer's choices and, when it has none
 * left, from valid defaults, so every seed starts from a dataset that reads. Fuzz one target for N
 * minutes (one per run; the corpus grows in {@code harness/.cifuzz-corpus}):
 * <pre>
 * JAZZER_FUZZ=1 mvn -B -o test -pl harness -am -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtest='CifarReaderFuzzTest#archiveEntriesReadOrRefused' \
 *     -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((N * 60))
 * </pre>
 */
class CifarReaderFuzzTest {

    private static final long BYTES_PER_REAL_BYTE = 8;
    private static final long CONSTANT_BYTES = 4 << 20;

    /** Any bytes as the archive: the gzip layer, the tar layer and the records behind them. */
    @FuzzTest
    void archiveBytesReadOrRefused(byte[] data) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-cifar");
        try {
            Path archive = Files.write(dir.resolve(Cifar10.ARCHIVE), data);
            long realBytes = Math.max(data.length, gunzippedLength(data));
            AllocationMeter.requireAtMost(
                    BYTES_PER_REAL_BYTE * realBytes + CONSTANT_BYTES,
                    "reading an archive of " + realBytes + " real bytes",
                    () -> loadOrNull(archive));
        } finally {
            delete(dir);
        }
    }

    /**
     * A gzipped tar whose entries the fuzzer shapes: the six files by default (1 to 3 records each,
     * valid labels), or any of them renamed, retyped, with a header that lies about its size, with
     * raw content or an invalid label, an extra entry, or no end marker.
     */
    @FuzzTest
    void archiveEntriesReadOrRefused(FuzzedDataProvider data) throws IOException {
        List<CifarFiles.TarEntry> entries = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        boolean crafted = false;
        for (String name : Cifar10.ALL_FILES) {
            int[] fileLabels = labels(data);
            byte[] content = records(fileLabels);
            crafted |= fileLabels.length == 0 || IntStream.of(fileLabels).anyMatch(label -> label >= 10);
            String entryName = name;
            byte type = '0';
            long declared = content.length;
            if (data.consumeBoolean()) {
                crafted = true;
                entryName = data.consumeString(120);
            }
            if (data.consumeBoolean()) {
                crafted = true;
                type = data.consumeByte();
            }
            if (data.consumeBoolean()) {
                crafted = true;
                declared = data.consumeLong(0, 077777777777L);
            }
            if (data.consumeBoolean()) {
                crafted = true;
                content = data.consumeBytes(data.consumeInt(0, 8000));
                declared = content.length;
            }
            entries.add(new CifarFiles.TarEntry(entryName, type, declared, content));
            labels.add(fileLabels);
        }
        if (data.consumeBoolean()) {
            byte[] content = data.consumeBytes(data.consumeInt(0, 4000));
            String name = data.consumeString(40);
            // One of the six names shadows or doubles that file: the archive is then no longer as written.
            crafted |= Cifar10.ALL_FILES.contains(name.substring(name.lastIndexOf('/') + 1));
            entries.add(data.consumeInt(0, entries.size()), CifarFiles.TarEntry.file(name, content));
        }
        boolean endMarker = !data.consumeBoolean();
        crafted |= !endMarker;
        byte[] tar = CifarFiles.tar(entries, endMarker);
        Path dir = Files.createTempDirectory("fuzz-cifar");
        try {
            Path archive = Files.write(dir.resolve(Cifar10.ARCHIVE), CifarFiles.gzip(tar));
            AllocationMeter.requireAtMost(
                    BYTES_PER_REAL_BYTE * tar.length + CONSTANT_BYTES,
                    "reading a tar of " + tar.length + " bytes",
                    () -> loadOrNull(archive));
            LabeledImages loaded = loadOrNull(archive);
            // An extra entry of another name is skipped: only changes to the six files may refuse it.
            if (!crafted) {
                requireLabels(loaded, labels, archive);
            }
        } finally {
            delete(dir);
        }
    }

    /** The six files in a folder, each valid by default or replaced by raw bytes. */
    @FuzzTest
    void folderFilesReadOrRefused(FuzzedDataProvider data) throws IOException {
        Path dir = Files.createTempDirectory("fuzz-cifar");
        try {
            List<int[]> labels = new ArrayList<>();
            boolean crafted = false;
            long realBytes = 0;
            for (String name : Cifar10.ALL_FILES) {
                int[] fileLabels = labels(data);
                byte[] content = records(fileLabels);
                crafted |= fileLabels.length == 0 || IntStream.of(fileLabels).anyMatch(label -> label >= 10);
                if (data.consumeBoolean()) {
                    crafted = true;
                    content = data.consumeBytes(data.consumeInt(0, 8000));
                }
                Files.write(dir.resolve(name), content);
                labels.add(fileLabels);
                realBytes += content.length;
            }
            AllocationMeter.requireAtMost(
                    BYTES_PER_REAL_BYTE * realBytes + CONSTANT_BYTES,
                    "reading files of " + realBytes + " bytes",
                    () -> loadOrNull(dir));
            if (!crafted) {
                requireLabels(loadOrNull(dir), labels, dir);
            }
        } finally {
            delete(dir);
        }
    }

    /** 1 to 3 records' labels, valid (the record's index) unless the fuzzer picks one of 10 to 255; none if it asks. */
    private static int[] labels(FuzzedDataProvider data) {
        if (data.consumeBoolean()) {
            return new int[0];
        }
        int[] labels = new int[1 + data.consumeInt(0, 2)];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.consumeBoolean() ? data.consumeInt(10, 255) : i;
        }
        return labels;
    }

    /** Records with these labels and pixels of their index. */
    private static byte[] records(int[] labels) {
        byte[] bytes = new byte[labels.length * CifarRecords.RECORD_BYTES];
        for (int i = 0; i < labels.length; i++) {
            bytes[i * CifarRecords.RECORD_BYTES] = (byte) labels[i];
            bytes[i * CifarRecords.RECORD_BYTES + 1 + i] = (byte) (i + 1);
        }
        return bytes;
    }

    /** An uncrafted dataset must read, its labels those written, training files first. */
    private static void requireLabels(LabeledImages loaded, List<int[]> labels, Path source) {
        if (loaded == null) {
            throw new AssertionError("a valid dataset was refused: " + source);
        }
        int[] train = labels.subList(0, 5).stream().flatMapToInt(IntStream::of).toArray();
        if (!java.util.Arrays.equals(loaded.train().labels(), train)
                || !java.util.Arrays.equals(loaded.test().labels(), labels.get(5))) {
            throw new AssertionError("labels read are not those written");
        }
    }

    private static LabeledImages loadOrNull(Path location) {
        try {
            return Cifar10.locate(location, null, 0).load();
        } catch (BadInputException refused) {
            if (refused.getMessage().contains("\n")) {
                throw new AssertionError("not one line: " + refused.getMessage(), refused);
            }
            return null;
        }
    }

    private static long gunzippedLength(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(data))) {
            in.transferTo(out);
        } catch (IOException broken) {
            // counted as far as it went
        }
        return out.size();
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
