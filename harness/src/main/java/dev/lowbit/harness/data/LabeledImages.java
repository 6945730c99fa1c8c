package dev.lowbit.harness.data;

import java.nio.file.Path;
import java.util.Map;

/**
 * A dataset as loaded from disk: its training and test images and where they came from.
 *
 * @param name dataset name, e.g. {@code fashion-mnist}
 * @param classes number of classes
 * @param train training images (validation is split from these)
 * @param test test images, used only for final numbers
 * @param directory the folder the files were read from
 * @param sha256 SHA-256 of each file read, by file name, for provenance
 */
public record LabeledImages(
        String name, int classes, ImageSet train, ImageSet test, Path directory, Map<String, String> sha256) {

    public LabeledImages {
        sha256 = Map.copyOf(sha256);
    }
}
