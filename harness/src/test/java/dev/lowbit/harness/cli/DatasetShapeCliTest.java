package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.data.IdxFiles;
import dev.lowbit.harness.export.PackedModelFiles;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A dataset whose training and test images differ in size (28x28 and 20x20) is refused when it
 * loads, in one line with exit 2: before, {@code run} trained and then FAILED in the engine, and
 * {@code eval --data} ended in a stack trace.
 */
class DatasetShapeCliTest {

    @TempDir
    Path dir;

    private Path mixedSizes() throws Exception {
        Path data = Files.createDirectories(dir.resolve("mixed"));
        IdxFiles.writeTinyDataset(data, false);
        IdxFiles.write(
                data.resolve("t10k-images-idx3-ubyte"), IdxFiles.idx(new int[] {2, 20, 20}, new byte[800]), false);
        return data;
    }

    private static void assertMixedSizesRefused(CliTest.Result result, Path data) {
        assertMixedSizesRefused(result.exitCode(), result.err(), data);
    }

    private static void assertMixedSizesRefused(int exitCode, String err, Path data) {
        assertThat(exitCode).as(err).isEqualTo(2);
        assertThat(err)
                .isEqualTo("lowbit: Dataset fashion-mnist in '" + data + "' mixes image sizes: its"
                        + " training images are 1x28x28 but its test images are 1x20x20. Both splits must come from one"
                        + " dataset; fix --data." + System.lineSeparator());
    }

    @Test
    void runRefusesItBeforeTraining() throws Exception {
        Path data = mixedSizes();
        Path out = dir.resolve("out");

        CliTest.Result result = lowbit("run", "--data", data.toString(), "--out", out.toString());

        // The data loads after the log's first line (the engine's threads): the error is the one line after it.
        assertThat(result.err()).startsWith("engine: ");
        assertMixedSizesRefused(
                result.exitCode(),
                result.err()
                        .substring(result.err().indexOf(System.lineSeparator())
                                + System.lineSeparator().length()),
                data);
        assertThat(result.out()).doesNotContain("epoch");
        if (Files.exists(out)) {
            try (Stream<Path> files = Files.walk(out)) {
                assertThat(files.filter(p -> p.getFileName().toString().equals("run.json")))
                        .isEmpty();
            }
        }
    }

    @Test
    void evalRefusesItBeforeBuildingTheModel() throws Exception {
        Path data = mixedSizes();
        Path model = PackedModelFiles.untrained(dir.resolve("model.lbw"), "ternary");

        assertMixedSizesRefused(lowbit("eval", model.toString(), "--data", data.toString()), data);
    }
}
