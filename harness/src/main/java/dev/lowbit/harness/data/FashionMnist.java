package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds and reads Fashion-MNIST (or any dataset in the same four-file IDX layout, such as MNIST).
 *
 * <p>Resolution order: {@code --data DIR}, {@code $LOWBIT_DATA}, {@code /usr/share/datasets/fashion-mnist}
 * (Debian's {@code dataset-fashion-mnist}), {@code ~/.lowbit/datasets/fashion-mnist}. An explicit
 * {@code --data} is authoritative: if it lacks the files, lowbit says so rather than silently
 * training on something else. lowbit never downloads at run time; {@code lowbit datasets download
 * fashion-mnist} fetches the files into the last place when asked.
 */
public final class FashionMnist {

    /** The dataset name stored in results. */
    public static final String NAME = "fashion-mnist";

    private static final String[] FILES = {
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"
    };
    private static final int CLASSES = 10;

    private final List<Path> searchPath;
    private final boolean explicit;

    private FashionMnist(List<Path> searchPath, boolean explicit) {
        this.searchPath = List.copyOf(searchPath);
        this.explicit = explicit;
    }

    /**
     * The locator for a run.
     *
     * @param dataOption the {@code --data} folder, or null
     * @param environmentValue the value of {@code $LOWBIT_DATA}, or null
     */
    public static FashionMnist locate(Path dataOption, String environmentValue) {
        if (dataOption != null) {
            return new FashionMnist(List.of(dataOption), true);
        }
        List<Path> candidates = new ArrayList<>();
        if (environmentValue != null && !environmentValue.isBlank()) {
            candidates.add(Paths.get(environmentValue));
        }
        candidates.add(Paths.get("/usr/share/datasets/fashion-mnist"));
        candidates.add(Datasets.homeFolder(NAME));
        return new FashionMnist(candidates, false);
    }

    /** The first folder on the search path that has all four files. */
    public Path directory() {
        return searchPath.stream().filter(FashionMnist::hasAllFiles).findFirst().orElseThrow(this::notFound);
    }

    /** Reads the four files from {@link #directory()}. */
    public LabeledImages load() {
        Path directory = directory();
        Map<String, String> sha256 = new LinkedHashMap<>();
        ImageSet train = read(directory, FILES[0], FILES[1], sha256);
        ImageSet test = read(directory, FILES[2], FILES[3], sha256);
        return new LabeledImages(NAME, CLASSES, train, test, directory, sha256);
    }

    private static ImageSet read(Path directory, String imagesName, String labelsName, Map<String, String> sha256) {
        Path imagesFile = find(directory, imagesName).orElseThrow();
        Path labelsFile = find(directory, labelsName).orElseThrow();
        IdxReader.IdxData images = IdxReader.read(imagesFile, 3);
        IdxReader.IdxData labels = IdxReader.read(labelsFile, 1);
        if (images.dimensions()[0] != labels.dimensions()[0]) {
            throw new BadInputException("Dataset files disagree: '" + imagesFile + "' holds " + images.dimensions()[0]
                    + " images but '" + labelsFile + "' holds " + labels.dimensions()[0] + " labels.");
        }
        int[] classOf = new int[labels.data().length];
        for (int i = 0; i < classOf.length; i++) {
            classOf[i] = labels.data()[i] & 0xFF;
            if (classOf[i] >= CLASSES) {
                throw new BadInputException("Corrupt IDX file '" + labelsFile + "': label " + classOf[i] + " at index "
                        + i + " is not one of the " + CLASSES + " classes 0-" + (CLASSES - 1) + ".");
            }
        }
        sha256.put(imagesFile.getFileName().toString(), sha256(imagesFile));
        sha256.put(labelsFile.getFileName().toString(), sha256(labelsFile));
        return new ImageSet(images.data(), classOf, 1, images.dimensions()[1], images.dimensions()[2]);
    }

    private static boolean hasAllFiles(Path directory) {
        for (String name : FILES) {
            if (find(directory, name).isEmpty()) {
                return false;
            }
        }
        return true;
    }

    /** The gzipped file if present, else the raw one. */
    private static Optional<Path> find(Path directory, String baseName) {
        for (String suffix : new String[] {".gz", ""}) {
            Path file = directory.resolve(baseName + suffix);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    private BadInputException notFound() {
        String where =
                String.join(", ", searchPath.stream().map(p -> "'" + p + "'").toList());
        String fix = explicit
                ? "Point --data at a folder holding " + String.join("[.gz], ", FILES) + "[.gz], or fetch them"
                        + " there with 'lowbit datasets download " + NAME + " --to " + searchPath.get(0) + "'."
                : "Install it with 'apt-get install dataset-fashion-mnist' or 'lowbit datasets download " + NAME
                        + "', or pass --data DIR / set LOWBIT_DATA to a folder holding the four IDX files.";
        return new BadInputException("Fashion-MNIST not found; looked in " + where + ". " + fix);
    }

    static String sha256(Path file) {
        try (DigestInputStream in =
                new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(in.getMessageDigest().digest());
        } catch (IOException e) {
            throw new BadInputException("Cannot read dataset file '" + file + "': " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java platform", e);
        }
    }
}
