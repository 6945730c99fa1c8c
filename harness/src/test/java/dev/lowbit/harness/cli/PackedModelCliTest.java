package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.harness.export.QuantizationQuality;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.store.ResultStore;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every alphabet through {@code lowbit run}, and its packed file through {@code lowbit export} and
 * {@code lowbit eval}, on real Fashion-MNIST (a 2,000-image subset, one epoch).
 */
@Tag("training")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PackedModelCliTest {

    private static final List<String> PRESETS =
            List.of("binary", "ternary", "quaternary", "quinary", "k8", "k9", "k16", "k17");
    private static final String CUSTOM = "levels:-2,-1,1,2";

    @TempDir
    static Path dir;

    private final Map<String, Path> runs = new LinkedHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    void trainEveryAlphabetOnce() throws Exception {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        CliTest.Result result = lowbit(
                "run",
                "--quantizer",
                "fp32," + String.join(",", PRESETS) + "," + CUSTOM,
                "--epochs",
                "1",
                "--train-limit",
                "2000",
                "--out",
                dir.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        try (Stream<Path> files = Files.list(dir.resolve("quick"))) {
            for (Path run :
                    files.filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                String quantizer = json.readTree(run.resolve("run.json").toFile())
                        .get("config")
                        .get("quantizer")
                        .asText();
                runs.put(quantizer.split("@")[0], run);
            }
        }
    }

    @Test
    void everyPresetAndACustomAlphabetTrainsAndIsListed() throws Exception {
        assertThat(runs.keySet()).containsAll(PRESETS).contains("fp32", CUSTOM);
        for (Path run : runs.values()) {
            assertThat(json.readTree(run.resolve("run.json").toFile())
                            .get("status")
                            .asText())
                    .isEqualTo("FINISHED");
        }
        String list = lowbit("list").out();
        assertThat(list)
                .containsPattern("quaternary\\s+4\\s+no\\s+\\{-2, -1, 1, 2\\}\\s+2\\.00 = log2\\(4\\)")
                .containsPattern("k8\\s+8\\s+no\\s+\\{-4, -3, -2, -1, 1, 2, 3, 4\\}\\s+3\\.00 = log2\\(8\\)")
                .containsPattern("k9\\s+9\\s+yes\\s+\\{-4\\.\\.4\\}\\s+3\\.17 = log2\\(9\\)")
                .containsPattern("k16\\s+16\\s+no\\s+\\{-8\\.\\.-1, 1\\.\\.8\\}\\s+4\\.00 = log2\\(16\\)")
                .containsPattern("k17\\s+17\\s+yes\\s+\\{-8\\.\\.8\\}\\s+4\\.09 = log2\\(17\\)")
                .contains("levels:...");
    }

    @Test
    void packedWeightsCostAtMostTwoPercentOverLog2KMeasuredFromTheFile() throws Exception {
        for (String quantizer : PRESETS) {
            JsonNode record =
                    json.readTree(runs.get(quantizer).resolve("run.json").toFile());
            JsonNode memory = record.get("memory");
            double bitsPerWeight = 8.0
                    * memory.get("packedWeightBytes").asLong()
                    / memory.get("quantizedWeights").asLong();
            double log2k = record.get("quantizer").get("bitsPerWeight").asDouble();
            assertThat(bitsPerWeight).as(quantizer).isLessThanOrEqualTo(1.02 * log2k);
            assertThat(memory.get("packedBytes").asLong())
                    .isEqualTo(Files.size(runs.get(quantizer).resolve("model.lbw")));
        }
        Path exported = dir.resolve("quinary.lbw");
        CliTest.Result export = lowbit(
                "export",
                runs.get("quinary").getFileName().toString(),
                "--results",
                dir.toString(),
                "-o",
                exported.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        assertThat(export.out())
                .containsPattern("Packed weight bits per quantized weight: 2\\.33\\d\\d \\(log2 5 = 2\\.3219");
        assertThat(exported).hasSameBinaryContentAs(runs.get("quinary").resolve("model.lbw"));
    }

    @Test
    void evalOfAnExportedModelGivesExactlyThePredictionsOfTheTrainedModel() throws Exception {
        for (String quantizer : List.of("ternary", "k17")) {
            Path run = runs.get(quantizer);
            Path exported = dir.resolve(quantizer + ".lbw");
            assertThat(lowbit(
                                    "export",
                                    run.getFileName().toString(),
                                    "--results",
                                    dir.toString(),
                                    "-o",
                                    exported.toString())
                            .exitCode())
                    .isZero();
            Path predictions = dir.resolve(quantizer + "-predictions.txt");

            CliTest.Result eval = lowbit("eval", exported.toString(), "--predictions", predictions.toString());

            assertThat(eval.exitCode()).as(eval.err()).isZero();
            assertThat(Files.readAllLines(predictions))
                    .hasSize(10_000)
                    .isEqualTo(Files.readAllLines(run.resolve("test-predictions.txt")));
            double stored = json.readTree(run.resolve("run.json").toFile())
                    .get("testAccuracy")
                    .asDouble();
            assertThat(eval.out()).contains(String.format(java.util.Locale.ROOT, "Test accuracy %.4f", stored));
        }
    }

    @Test
    void damagedPackedFilesAreOneLineErrorsNamingTheFile() throws Exception {
        byte[] good = Files.readAllBytes(runs.get("ternary").resolve("model.lbw"));

        Path flipped = dir.resolve("flipped.lbw");
        byte[] damaged = good.clone();
        damaged[good.length / 2] ^= 0x40;
        Files.write(flipped, damaged);
        assertOneLineError(flipped, "lowbit: Corrupt packed model '" + flipped + "': checksum mismatch");

        Path truncated = dir.resolve("truncated.lbw");
        Files.write(truncated, Arrays.copyOf(good, good.length - 1000));
        assertOneLineError(truncated, "lowbit: Truncated packed model '" + truncated + "'");

        Path future = dir.resolve("future.lbw");
        byte[] patched = good.clone();
        ByteBuffer.wrap(patched).putInt(4, 7);
        Files.write(future, patched);
        assertOneLineError(
                future,
                "lowbit: Unsupported packed model '" + future + "': format version 7 is newer than this"
                        + " lowbit knows (it reads up to format version 2): upgrade lowbit to read it.");

        Path missing = dir.resolve("missing.lbw");
        assertOneLineError(missing, "lowbit: Cannot read packed model '" + missing + "'");
    }

    private static void assertOneLineError(Path file, String start) {
        CliTest.Result result = lowbit("eval", file.toString());
        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err()).startsWith(start);
        assertThat(result.err().lines()).hasSize(1);
    }

    @Test
    void largerAlphabetsUseTheirOuterLevelsAndReconstructTrainedWeightsBetter() throws Exception {
        PluginLoader loader = new PluginLoader(getClass().getClassLoader());
        QuantizerRegistry quantizers = QuantizerRegistry.load(loader);
        Architecture fcnnSmall = new ArchitectureRegistry(loader.load(Architecture.class)).get("fcnn-small");
        double previousError = Double.POSITIVE_INFINITY;
        for (String alphabet : List.of("ternary", "quinary", "k9", "k17")) {
            try (NDManager manager = NDManager.newBaseManager()) {
                // The fp32 twin's trained weights, quantized with each default rule.
                Block block = fcnnSmall.build(new Shape(1, 28, 28), 10, quantizers.resolve(alphabet));
                ResultStore.initializeFromCheckpoint(runs.get("fp32"), block);
                block.initialize(manager, DataType.FLOAT32, new Shape(1, 1, 28, 28));

                List<QuantizationQuality> qualities = QuantizationQuality.of(block);

                assertThat(qualities).hasSize(2);
                double error = qualities.get(0).relativeError();
                assertThat(error).as(alphabet).isLessThan(previousError);
                assertThat(qualities)
                        .allSatisfy(
                                q -> assertThat(q.outermostShare()).as(alphabet).isPositive());
                previousError = error;
            }
        }
    }
}
