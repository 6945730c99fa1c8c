package dev.lowbit.harness.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

    @TempDir
    Path dir;

    @Test
    void namesTheDefaultFirst() {
        assertThat(Datasets.NAMES).containsExactly("fashion-mnist", "cifar-10");
    }

    @Test
    void loadsFashionMnistThroughItsLocator() throws Exception {
        IdxFiles.writeTinyDataset(dir, true);
        LabeledImages data = Datasets.load("fashion-mnist", dir, null);
        assertThat(data.name()).isEqualTo("fashion-mnist");
        assertThat(data.train().labels()).containsExactly(0, 1, 2, 9);
        assertThat(Datasets.describeLocation("fashion-mnist", dir, null)).isEqualTo("found in " + dir);
    }

    @Test
    void findsCifar10ButReadsOnlyTheStandardSizes() throws Exception {
        Path folder = CifarFiles.writeTinyDataset(dir.resolve("cifar-10-batches-bin"));
        assertThat(Datasets.describeLocation("cifar-10", dir, "/ignored")).isEqualTo("found in " + folder);
        assertThatThrownBy(() -> Datasets.load("cifar-10", dir, null))
                .isInstanceOf(BadInputException.class)
                .hasMessageStartingWith(
                        "Corrupt CIFAR-10 file '" + folder.resolve("data_batch_1.bin") + "': 6146 bytes");
    }

    @Test
    void describesAMissingDatasetInOneLine() {
        Path empty = dir.resolve("empty");
        assertThat(Datasets.describeLocation("cifar-10", empty, null))
                .startsWith("not installed: CIFAR-10 not found; looked in '" + empty + "' for")
                .doesNotContain("\n");
        assertThat(Datasets.describeLocation("fashion-mnist", empty, null))
                .isEqualTo("not installed: Fashion-MNIST not found; looked in '" + empty + "'. Point --data at a folder"
                        + " holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz],"
                        + " t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz], or fetch them there with"
                        + " 'lowbit datasets download fashion-mnist --to " + empty + "'.");
    }

    @Test
    void rejectsAnUnknownNameListingTheKnownOnes() {
        String message = "No dataset named 'mnist'. Available: [fashion-mnist, cifar-10]. Fix the dataset name,"
                + " or run 'lowbit list' to see where each is installed.";
        assertThatThrownBy(() -> Datasets.load("mnist", dir, null))
                .isInstanceOf(BadInputException.class)
                .hasMessage(message);
        assertThatThrownBy(() -> Datasets.describeLocation("mnist", dir, null)).hasMessage(message);
    }
}
