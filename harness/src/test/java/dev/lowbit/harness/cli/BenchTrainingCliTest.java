package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.train.EngineSettings;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** {@code lowbit bench training}: what it measures and how it is counted (never how fast: that is the benchmark's job). */
@Tag("training")
class BenchTrainingCliTest {

    @Test
    void timesFp32AndEachQuantizerAndCountsTheModelsFlops() throws Exception {
        CliTest.Result result = lowbit(
                "bench",
                "training",
                "--arch",
                "fcnn-small",
                "--quantizer",
                "ternary,k17",
                "--steps",
                "2",
                "--repeats",
                "2",
                "--warm-up",
                "1",
                "--epochs",
                "0",
                "--format",
                "json");

        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode bench = new ObjectMapper().readTree(result.out());
        assertThat(bench.get("gemmFlopsPerSecond").asDouble()).isPositive();
        assertThat(bench.get("threadsSource").asText())
                .as("where the thread count came from")
                .isNotBlank();
        assertThat(bench.get("openmpWait").asText()).isEqualTo(EngineSettings.waitPolicy());
        JsonNode fcnn = bench.get("architectures").get(0);
        assertThat(fcnn.get("architecture").asText()).isEqualTo("fcnn-small");
        // 784-128-10: 2 x (784 x 128 + 128 x 10) multiply-adds per image, the forward of the two linear layers.
        assertThat(fcnn.get("forwardFlopsPerImage").asLong()).isEqualTo(2L * (784 * 128 + 128 * 10));
        JsonNode models = fcnn.get("models");
        assertThat(models)
                .extracting(m -> m.get("quantizer").asText())
                .containsExactly("fp32", "ternary@mse/tensor", "k17@mse/tensor");
        for (JsonNode model : models) {
            assertThat(model.get("stepSeconds")).hasSize(2);
            assertThat(model.get("medianStepSeconds").asDouble()).isPositive();
            assertThat(model.get("medianQatOverFp32").asDouble()).isPositive();
        }
        assertThat(models.get(0).get("medianQatOverFp32").asDouble()).isEqualTo(1.0);
    }

    @Test
    void badSettingsAreOneLineAndExitTwo() {
        CliTest.Result result = lowbit("bench", "training", "--steps", "0");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: --steps, --repeats and --batch-size must be at least 1, --warm-up"
                        + " and --epochs at least 0.\n");
    }
}
