package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every architecture trains through {@code lowbit run} with every built-in quantizer (real data, a small subset). */
@Tag("training")
class ArchitectureGridCliTest {

    private static final List<String> ARCHITECTURES =
            List.of("fcnn-small", "fcnn-large", "cnn-small", "cnn-large", "vit-small", "vit-large");
    private static final List<String> QUANTIZERS =
            List.of("fp32", "binary", "ternary", "quaternary", "quinary", "k8", "k9", "k16", "k17");

    @TempDir
    Path dir;

    @Test
    void everyArchitectureTrainsWithEveryBuiltInQuantizer() throws Exception {
        CliTest.Result result = lowbit(
                "run",
                "--arch",
                String.join(",", ARCHITECTURES),
                "--quantizer",
                String.join(",", QUANTIZERS),
                "--epochs",
                "1",
                "--train-limit",
                "600",
                "--out",
                dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .contains("Trained 54, skipped 0 finished, 0 held by other workers, 0 diverged, 0 failed.");
        ObjectMapper json = new ObjectMapper();
        Set<String> trained = new HashSet<>();
        try (Stream<Path> runs = Files.list(dir.resolve("quick"))) {
            for (Path run :
                    runs.filter(p -> Files.exists(p.resolve("run.json"))).toList()) {
                JsonNode record = json.readTree(run.resolve("run.json").toFile());
                if (record.get("config").get("quantizer").asText().startsWith("ternary@")) {
                    assertPackedModelReloadsToTheSamePredictions(run);
                }
                assertThat(record.get("status").asText()).isEqualTo("FINISHED");
                // Better than chance (0.10) after one epoch on 540 images: the model learned something.
                assertThat(record.get("testAccuracy").asDouble())
                        .as(run.toString())
                        .isGreaterThan(0.2);
                trained.add(record.get("config").get("architecture").asText() + " "
                        + record.get("config").get("quantizer").asText().split("@")[0]);
            }
        }
        assertThat(trained).hasSize(ARCHITECTURES.size() * QUANTIZERS.size());
    }

    /** Convolutions, batch norm and attention survive the packed round trip prediction for prediction. */
    private void assertPackedModelReloadsToTheSamePredictions(Path run) throws Exception {
        Path exported = dir.resolve(run.getFileName() + ".lbw");
        CliTest.Result export =
                lowbit("export", run.getFileName().toString(), "--results", dir.toString(), "-o", exported.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        Path predictions = dir.resolve(run.getFileName() + ".predictions");
        CliTest.Result eval = lowbit("eval", exported.toString(), "--predictions", predictions.toString());
        assertThat(eval.exitCode()).as(eval.err()).isZero();
        assertThat(Files.readAllLines(predictions))
                .as(run.toString())
                .isEqualTo(Files.readAllLines(run.resolve("test-predictions.txt")));
    }
}
