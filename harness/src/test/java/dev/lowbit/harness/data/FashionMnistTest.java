package dev.lowbit.harness.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {

    @TempDir
    Path dir;

    @Test
    void loadsTheFourFilesAndHashesThem() throws Exception {
        IdxFiles.writeTinyDataset(dir, true);
        LabeledImages data = FashionMnist.locate(dir, null).load();
        assertThat(data.train().size()).isEqualTo(4);
        assertThat(data.train().labels()).containsExactly(0, 1, 2, 9);
        assertThat(data.test().labels()).containsExactly(3, 4);
        assertThat(data.train().rows()).isEqualTo(28);
        assertThat(data.sha256())
                .containsOnlyKeys(
                        "train-images-idx3-ubyte.gz",
                        "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte.gz",
                        "t10k-labels-idx1-ubyte.gz");
        assertThat(data.sha256().values()).allMatch(h -> h.matches("[0-9a-f]{64}"));
    }

    @Test
    void prefersTheEnvironmentFolderOverTheSystemOne() throws Exception {
        IdxFiles.writeTinyDataset(dir, false);
        assertThat(FashionMnist.locate(null, dir.toString()).directory()).isEqualTo(dir);
    }

    @Test
    void anExplicitFolderWithoutTheFilesSaysWhereItLookedAndHowToFix() {
        Path empty = dir.resolve("empty");
        assertThatThrownBy(() -> FashionMnist.locate(empty, "/ignored").load())
                .isInstanceOf(BadInputException.class)
                .hasMessage("Fashion-MNIST not found; looked in '" + empty + "'. Point --data at a folder holding"
                        + " train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz],"
                        + " t10k-labels-idx1-ubyte[.gz], or fetch them there with 'lowbit datasets download fashion-mnist"
                        + " --to " + empty + "'.");
    }

    @Test
    void rejectsLabelsOutsideTheTenClasses() throws Exception {
        IdxFiles.writeTinyDataset(dir, false);
        IdxFiles.write(
                dir.resolve("train-labels-idx1-ubyte"), IdxFiles.idx(new int[] {4}, new byte[] {0, 1, 12, 3}), false);
        assertThatThrownBy(() -> FashionMnist.locate(dir, null).load())
                .hasMessage("Corrupt IDX file '" + dir.resolve("train-labels-idx1-ubyte")
                        + "': label 12 at index 2 is not one of the 10 classes 0-9.");
    }

    @Test
    void refusesTestImagesOfAnotherSizeThanTheTrainingImagesWhenItLoads() throws Exception {
        IdxFiles.writeTinyDataset(dir, false);
        IdxFiles.write(
                dir.resolve("t10k-images-idx3-ubyte"), IdxFiles.idx(new int[] {2, 20, 20}, new byte[800]), false);
        assertThatThrownBy(() -> FashionMnist.locate(dir, null).load())
                .isInstanceOf(BadInputException.class)
                .hasMessage("Dataset fashion-mnist in '" + dir + "' mixes image sizes: its training images are 1x28x28"
                        + " but its test images are 1x20x20. Both splits must come from one dataset; fix --data.");
    }
}
