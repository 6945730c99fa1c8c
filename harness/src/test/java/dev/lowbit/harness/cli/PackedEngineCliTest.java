package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.harness.data.IdxFiles;
import dev.lowbit.harness.export.PackedModelFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code lowbit eval --engine packed} on untrained models: what it refuses (one line, exit 2) and that it runs
 * without DJL's engine. {@link PackedEngineTrainedCliTest} compares it with DJL on a trained model and runs
 * {@code lowbit bench inference}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedEngineCliTest {

    @TempDir
    static Path dir;

    /** An untrained ternary fcnn-small, as export writes it. */
    private Path ternary;
    /** A Fashion-MNIST-shaped folder of 4 + 2 images of 28x28. */
    private Path tinyData;

    @BeforeAll
    void writeModelAndData() throws Exception {
        ternary = PackedModelFiles.untrained(dir.resolve("ternary.lbw"), "ternary");
        tinyData = Files.createDirectories(dir.resolve("tiny"));
        IdxFiles.writeTinyDataset(tinyData, true);
    }

    private static void assertRefused(CliTest.Result result, String expected) {
        assertThat(result.exitCode()).as(result.err()).isEqualTo(2);
        assertThat(result.err()).isEqualTo(expected + System.lineSeparator());
        assertThat(result.out()).isEmpty();
    }

    @Test
    void anUnknownEngineNamesTheOnesThatExist() {
        assertRefused(
                lowbit("eval", ternary.toString(), "--engine", "onnx"),
                "lowbit: Unknown --engine 'onnx'. Available: [packed, djl].");
    }

    @Test
    void theGpuIsRefusedForThePackedEngine() {
        assertRefused(
                lowbit("eval", ternary.toString(), "--engine", "packed", "--device", "gpu"),
                "lowbit: --device gpu is DJL's; the packed engine runs on the CPU. Drop --device or use --engine djl.");
    }

    @Test
    void integerActivationsPerTokenRunAndOthersAreLeftToDjl() {
        Path perToken =
                PackedModelFiles.withEntry(ternary, dir.resolve("per-token.lbw"), "activations", "int8@absmax/token");
        CliTest.Result packed =
                lowbit("eval", perToken.toString(), "--engine", "packed", "--data", tinyData.toString());
        assertThat(packed.exitCode()).as(packed.err()).isZero();
        assertThat(packed.out()).contains("Engine: packed");

        // Per tensor, the scale depends on which images share a batch: no engine can match another's batches.
        Path perTensor =
                PackedModelFiles.withEntry(ternary, dir.resolve("per-tensor.lbw"), "activations", "int8@absmax/tensor");
        assertThat(lowbit("eval", perTensor.toString(), "--data", tinyData.toString())
                        .exitCode())
                .as("DJL evaluates it")
                .isZero();
        assertRefused(
                lowbit("eval", perTensor.toString(), "--engine", "packed", "--data", tinyData.toString()),
                "lowbit: Packed model '" + perTensor + "' quantizes its layers' inputs with 'int8@absmax/tensor', which"
                        + " the packed engine does not run (it runs intN@absmax/token, e.g. int8); evaluate it with"
                        + " --engine djl.");
        assertRefused(
                lowbit("bench", "inference", perTensor.toString(), "--data", tinyData.toString()),
                "lowbit: Packed model '" + perTensor + "' quantizes its layers' inputs with 'int8@absmax/tensor', which"
                        + " the packed engine does not run (it runs intN@absmax/token, e.g. int8); 'lowbit bench"
                        + " inference' times the packed engine against DJL, so it needs a model both run.");
    }

    @Test
    void theBenchmarkRefusesBadCountsInOneLine() {
        assertRefused(
                lowbit("bench", "inference", ternary.toString(), "--images", "0"),
                "lowbit: --images, --batches, --batch-size and --repeats must be at least 1 and --warm-up at least 0,"
                        + " got 0, 5, 64, 5 and 100.");
        // Counts that would hold more images than memory can: refused before anything is loaded.
        assertRefused(
                lowbit("bench", "inference", ternary.toString(), "--batch-size", "2000000000"),
                "lowbit: --images and --batches x --batch-size can be at most 100000, --batch-size 10000 and --repeats"
                        + " 1000, got 200, 5 x 2000000000 and 5; time fewer images in more rounds.");
    }

    /**
     * In a JVM whose DJL finds no engine at all, the packed engine still evaluates: it needs none (DJL's would
     * fail the command on first use), and its output and predictions are those of any eval.
     */
    @Test
    void thePackedEngineEvaluatesWithoutDjlsEngine() throws Exception {
        Path predictions = dir.resolve("packed-predictions.txt");
        Path log = dir.resolve("no-engine.log");
        Process process = ChildLowbit.startWith(
                log,
                List.of("-Dai.djl.default_engine=NoSuchEngine", "--add-modules", "jdk.incubator.vector"),
                "eval",
                ternary.toString(),
                "--engine",
                "packed",
                "--data",
                tinyData.toString(),
                "--predictions",
                predictions.toString());
        assertThat(process.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String output = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(output).isZero();
        assertThat(output)
                .containsPattern("Engine: packed \\(Vector API(, \\d+-bit)?\\)")
                .containsPattern("Test accuracy \\d\\.\\d{4}, loss \\d+\\.\\d{4} on 2 images");
        assertThat(Files.readAllLines(predictions)).hasSize(2).allMatch(line -> line.matches("[0-9]"));

        // The control: in such a JVM, DJL's engine does fail.
        Path djlLog = dir.resolve("no-engine-djl.log");
        Process djlProcess = ChildLowbit.startWith(
                djlLog,
                List.of("-Dai.djl.default_engine=NoSuchEngine"),
                "eval",
                ternary.toString(),
                "--data",
                tinyData.toString());
        assertThat(djlProcess.waitFor(5, TimeUnit.MINUTES)).isTrue();
        assertThat(djlProcess.exitValue()).isNotZero();
        assertThat(Files.readString(djlLog, StandardCharsets.UTF_8)).contains("NoSuchEngine");

        CliTest.Result djl = lowbit("eval", ternary.toString(), "--data", tinyData.toString());
        assertThat(djl.exitCode()).as(djl.err()).isZero();
        assertThat(djl.out()).contains("Engine: djl");
    }
}
