package dev.lowbit.harness.data;

import dev.lowbit.harness.BadInputException;
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

    /**
     * Checks that both splits hold images of one size: a model is built for the training images'
     * shape, so test images of another size would fail only in the engine, after training.
     *
     * @throws BadInputException naming the folder and both sizes
     */
    public LabeledImages {
        if (train.channels() != test.channels() || train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new BadInputException("Dataset " + name + " in '" + directory + "' mixes image sizes: its training"
                    + " images are " + size(train) + " but its test images are " + size(test)
                    + ". Both splits must come from one dataset; fix --data.");
        }
        sha256 = Map.copyOf(sha256);
    }

    private static String size(ImageSet images) {
        return images.channels() + "x" + images.rows() + "x" + images.cols();
    }
}
