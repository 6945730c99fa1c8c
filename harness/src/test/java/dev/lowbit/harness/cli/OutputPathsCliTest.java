package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Output paths that cannot be written are one line and exit 2 before any work, and leave nothing behind.
 * Each {@code run} names a data folder that does not exist: had the command got as far as loading data,
 * it would say so instead, so the message proves the path was checked first.
 */
class OutputPathsCliTest {

    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path noData() {
        return dir.resolve("no-data");
    }

    @Test
    void runOutThatIsAFileIsOneLineAndExitsTwoBeforeLoadingData() throws Exception {
        Path file = Files.writeString(dir.resolve("results"), "not a folder");

        CliTest.Result result =
                lowbit("run", "--quantizer", "fp32", "--out", file.toString(), "--data", noData().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write to --out '" + file + "': '" + file + "' is a file, not"
                        + " a folder. Give --out a folder (it is created when missing)." + NL);
        assertThat(Files.readString(file)).isEqualTo("not a folder");
    }

    @Test
    void runOutUnderAFileIsOneLineAndExitsTwo() throws Exception {
        Path file = Files.writeString(dir.resolve("results"), "not a folder");

        CliTest.Result result = lowbit(
                "run", "--quantizer", "fp32", "--out", file.resolve("sub").toString(), "--data", noData().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write to --out '" + file.resolve("sub") + "': '" + file
                        + "' is a file, not a folder. Give --out a folder (it is created when missing)." + NL);
    }

    @Test
    void runOutOnAFileSystemThatCreatesNothingIsOneLineAndExitsTwo() {
        Path proc = Path.of("/proc/1");
        assumeTrue(Files.isDirectory(proc), "needs Linux's /proc");

        CliTest.Result result = lowbit(
                "run", "--quantizer", "fp32", "--out", proc.resolve("x").toString(), "--data", noData().toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .startsWith("lowbit: Cannot write to --out '/proc/1/x': ")
                .endsWith(". Give --out a folder you can write to." + NL);
        assertThat(result.err().lines()).hasSize(1);
        assertThat(proc.resolve("x")).doesNotExist();
    }

    @Test
    void runOutUnderAReadOnlyFolderIsOneLineAndLeavesNoFolderBehind() throws Exception {
        Path readOnly = Files.createDirectory(dir.resolve("read-only"));
        Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            // root writes anywhere: the case exists only for other users.
            assumeFalse(Files.isWritable(readOnly), "running as root, for whom no folder is read-only");
            Path out = readOnly.resolve("results");

            CliTest.Result result =
                    lowbit("run", "--quantizer", "fp32", "--out", out.toString(), "--data", noData().toString());

            assertThat(result.exitCode()).isEqualTo(2);
            assertThat(result.err())
                    .isEqualTo("lowbit: Cannot write to --out '" + out + "': permission denied for '" + out
                            + "'. Give --out a folder you can write to." + NL);
            assertThat(out).doesNotExist();
        } finally {
            Files.setPosixFilePermissions(readOnly, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void aFolderThatPassesIsKeptForTheCommandAndAFileCheckLeavesNothing() throws Exception {
        Path out = dir.resolve("new").resolve("results");

        OutputPaths.requireWritableFolder("--out", out, out.resolve("quick"));
        OutputPaths.requireWritableFile("-o", dir.resolve("other").resolve("model.lbw"), "model.lbw");

        // The run writes into the folder next, and a second worker on the same results may already use it:
        // it stays, empty. The file's folders are made by the write itself.
        assertThat(out.resolve("quick")).isEmptyDirectory();
        try (java.util.stream.Stream<Path> entries = Files.list(dir)) {
            assertThat(entries).containsExactly(dir.resolve("new"));
        }
    }

    @Test
    void exportToAFolderIsOneLineAndExitsTwoBeforeReadingTheRun() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("models"));

        CliTest.Result result =
                lowbit("export", "fcnn-small.fp32.s1.fbc71b52", "--results", dir.toString(), "-o", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write -o '" + folder + "': it is a folder. Give -o the file"
                        + " to write, e.g. '" + folder.resolve("model.lbw") + "'." + NL);
        assertThat(folder).isEmptyDirectory();
    }

    @Test
    void exportToAFileInFoldersNotYetMadeLeavesNoFolderBehindWhenItStopsEarly() {
        Path file = dir.resolve("new").resolve("deeper").resolve("model.lbw");

        CliTest.Result result = lowbit("export", "no-such-run", "--results", dir.toString(), "-o", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith("lowbit: No finished run 'no-such-run' under '" + dir + "'.");
        assertThat(dir.resolve("new")).doesNotExist();
    }

    @Test
    void evalPredictionsToAFolderIsOneLineAndExitsTwoBeforeReadingTheModel() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("predictions"));

        CliTest.Result result =
                lowbit("eval", dir.resolve("missing.lbw").toString(), "--predictions", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write --predictions '" + folder + "': it is a folder. Give"
                        + " --predictions the file to write, e.g. '" + folder.resolve("predictions.txt") + "'." + NL);
    }

    @Test
    void evalPredictionsWithANameTooLongForTheFileSystemIsOneLineAndExitsTwo() {
        Path file = dir.resolve("p".repeat(300) + ".txt");

        CliTest.Result result = lowbit("eval", dir.resolve("missing.lbw").toString(), "--predictions", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write --predictions '" + file + "': File name too long ('" + file
                        + "'). Give --predictions a file you can write." + NL);
    }

    @Test
    void evalPredictionsToAReadOnlyFileIsOneLineAndLeavesItAsItWas() throws Exception {
        Path file = Files.writeString(dir.resolve("predictions.txt"), "kept");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("r--r--r--"));
        assumeFalse(Files.isWritable(file), "running as root, for whom no file is read-only");

        CliTest.Result result = lowbit("eval", dir.resolve("missing.lbw").toString(), "--predictions", file.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write --predictions '" + file + "': it exists and is"
                        + " read-only. Give --predictions another file, or remove that one." + NL);
        assertThat(Files.readString(file)).isEqualTo("kept");
    }

    @Test
    void planOutputToAFolderIsOneLineAndExitsTwo() throws Exception {
        Path folder = Files.createDirectory(dir.resolve("scripts"));

        CliTest.Result result = lowbit("plan", "--format", "slurm", "--out", dir.toString(), "-o", folder.toString());

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: Cannot write -o '" + folder + "': it is a folder. Give -o the file"
                        + " to write, e.g. '" + folder.resolve("job.slurm") + "'." + NL);
    }
}
