package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds and reads CIFAR-10 in its binary version: {@code data_batch_1.bin} .. {@code data_batch_5.bin}
 * (training, 10,000 images each) and {@code test_batch.bin}, 32x32 RGB images in 10 classes.
 *
 * <p>Resolution order: {@code --data}, {@code $LOWBIT_DATA}, {@code ~/.lowbit/datasets/cifar-10}. Each
 * place may be the folder holding the six files, its parent (the archive unpacks to
 * {@code cifar-10-batches-bin/}), a folder holding {@code cifar-10-binary.tar.gz}, or that archive
 * itself, which is then read in place. An explicit {@code --data} is authoritative. lowbit never
 * downloads at run time; {@code lowbit datasets download cifar-10} fetches the archive into the last
 * place when asked.
 */
public final class Cifar10 {

    /** The dataset name stored in results. */
    public static final String NAME = "cifar-10";

    static final String FOLDER = "cifar-10-batches-bin";
    static final String ARCHIVE = "cifar-10-binary.tar.gz";
    static final List<String> TRAIN_FILES =
            List.of("data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin");
    static final List<String> TEST_FILES = List.of("test_batch.bin");
    static final List<String> ALL_FILES =
            Stream.concat(TRAIN_FILES.stream(), TEST_FILES.stream()).toList();

    private final List<Path> searchPath;
    private final boolean explicit;
    private final int recordsPerFile;

    private Cifar10(List<Path> searchPath, boolean explicit, int recordsPerFile) {
        this.searchPath = List.copyOf(searchPath);
        this.explicit = explicit;
        this.recordsPerFile = recordsPerFile;
    }

    /**
     * The locator for a run.
     *
     * @param dataOption the {@code --data} folder or archive, or null
     * @param environmentValue the value of {@code $LOWBIT_DATA}, or null
     */
    public static Cifar10 locate(Path dataOption, String environmentValue) {
        return locate(dataOption, environmentValue, CifarRecords.STANDARD_RECORDS);
    }

    /** As {@link #locate(Path, String)}, with {@code recordsPerFile} 0 accepting files of any length (tests). */
    static Cifar10 locate(Path dataOption, String environmentValue, int recordsPerFile) {
        if (dataOption != null) {
            return new Cifar10(List.of(dataOption), true, recordsPerFile);
        }
        List<Path> candidates = new ArrayList<>();
        if (environmentValue != null && !environmentValue.isBlank()) {
            candidates.add(Paths.get(environmentValue));
        }
        candidates.add(Datasets.homeFolder(NAME));
        return new Cifar10(candidates, false, recordsPerFile);
    }

    /** The folder holding the six files, or the archive, found first on the search path. */
    public Path location() {
        return searchPath.stream().flatMap(p -> resolve(p).stream()).findFirst().orElseThrow(this::notFound);
    }

    /** Reads the six files from {@link #location()}; an archive is read in place, without unpacking. */
    public LabeledImages load() {
        Path location = location();
        if (Files.isRegularFile(location)) {
            return CifarArchive.load(location, recordsPerFile);
        }
        Map<String, String> sha256 = new LinkedHashMap<>();
        ImageSet train = readFolder(location, TRAIN_FILES, sha256);
        ImageSet test = readFolder(location, TEST_FILES, sha256);
        return new LabeledImages(NAME, CifarRecords.CLASSES, train, test, location, sha256);
    }

    private static Optional<Path> resolve(Path candidate) {
        if (Files.isRegularFile(candidate)) {
            return Optional.of(candidate);
        }
        for (Path folder : List.of(candidate, candidate.resolve(FOLDER))) {
            if (missing(folder).isEmpty()) {
                return Optional.of(folder);
            }
        }
        Path archive = candidate.resolve(ARCHIVE);
        return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
    }

    private static List<String> missing(Path folder) {
        return ALL_FILES.stream()
                .filter(name -> !Files.isRegularFile(folder.resolve(name)))
                .toList();
    }

    /** Sizes are checked for every file first, so a bad last file fails before 150 MB are read. */
    private ImageSet readFolder(Path folder, List<String> names, Map<String, String> sha256) {
        int[] counts = new int[names.size()];
        int total = 0;
        for (int i = 0; i < counts.length; i++) {
            Path file = folder.resolve(names.get(i));
            try {
                counts[i] = CifarRecords.count(file.toString(), Files.size(file), recordsPerFile);
            } catch (IOException e) {
                throw CifarRecords.unreadable(file.toString(), e);
            }
            total = CifarRecords.addImages(file.toString(), total, counts[i]);
        }
        CifarRecords records = new CifarRecords(total);
        for (int i = 0, first = 0; i < counts.length; first += counts[i], i++) {
            Path file = folder.resolve(names.get(i));
            // Hashed while read: one pass over each file instead of two.
            try (DigestInputStream digest = new DigestInputStream(Files.newInputStream(file), CifarArchive.sha256());
                    InputStream in = new BufferedInputStream(digest, 1 << 16)) {
                records.read(file.toString(), in, counts[i], first);
                if (in.read() != -1) {
                    throw CifarRecords.corrupt(file.toString(), "grew while being read");
                }
                sha256.put(
                        names.get(i),
                        HexFormat.of().formatHex(digest.getMessageDigest().digest()));
            } catch (IOException e) {
                throw CifarRecords.unreadable(file.toString(), e);
            }
        }
        return records.images();
    }

    private BadInputException notFound() {
        List<String> looked = searchPath.stream().map(Cifar10::describe).toList();
        String fix = explicit
                ? "Download the CIFAR-10 binary version ('lowbit datasets download " + NAME + " --to DIR') and pass"
                        + " --data DIR: the archive, its " + FOLDER + " folder, or that folder's parent."
                : "Run 'lowbit datasets download " + NAME + "' (it saves to ~/.lowbit/datasets/" + NAME
                        + "), or download the CIFAR-10 binary version and pass --data DIR, set LOWBIT_DATA, or unpack"
                        + " it into ~/.lowbit/datasets/" + NAME + ".";
        return new BadInputException("CIFAR-10 not found; looked in " + String.join(", ", looked)
                + " for data_batch_1.bin .. data_batch_5.bin and test_batch.bin, a " + FOLDER
                + " folder holding them, or " + ARCHIVE + ". " + fix);
    }

    /** A candidate, and which files a folder that has some of them lacks: the likeliest mistake. */
    private static String describe(Path candidate) {
        for (Path folder : List.of(candidate, candidate.resolve(FOLDER))) {
            List<String> missing = missing(folder);
            if (missing.size() < ALL_FILES.size()) {
                return "'" + candidate + "' ('" + folder + "' lacks " + String.join(", ", missing) + ")";
            }
        }
        return "'" + candidate + "'";
    }
}
