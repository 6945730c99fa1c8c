package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --device cpu|gpu} on the real engine of this build, which has DJL's CPU natives (CI's and this
 * machine's): cpu trains, gpu is one line and exit 2, and so is a device that does not exist.
 */
class DeviceCliTest {

    /** The line of {@code --device gpu} where the engine has the CPU natives. */
    static final String NO_GPU = "lowbit: --device gpu: no GPU visible to DJL's PyTorch engine (CPU natives in use); to"
            + " use a GPU bring DJL's CUDA natives: see README 'GPU'\n";

    @TempDir
    Path dir;

    @Test
    @Tag("training")
    void cpuTrainsAndRecordsTheDevice() throws Exception {
        Path out = dir.resolve("results");
        CliTest.Result run = lowbit(
                "run",
                "--device",
                "cpu",
                "--quantizer",
                "ternary",
                "--epochs",
                "1",
                "--train-limit",
                "300",
                "--workers",
                "1",
                "--out",
                out.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        try (Stream<Path> runs = Files.list(out.resolve("quick"))) {
            for (Path runFile :
                    runs.map(p -> p.resolve("run.json")).filter(Files::exists).toList()) {
                JsonNode record = new ObjectMapper().readTree(runFile.toFile());
                assertThat(record.get("status").asText()).isEqualTo("FINISHED");
                assertThat(record.get("provenance").get("device").asText()).isEqualTo("cpu()");
            }
        }
    }

    @Test
    void gpuWithoutAGpuIsOneLineAndExitTwoBeforeAnythingIsWritten() {
        Path out = dir.resolve("results");
        CliTest.Result run = lowbit("run", "--device", "gpu", "--epochs", "1", "--out", out.toString());
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(NO_GPU);
        assertThat(out).doesNotExist();

        CliTest.Result eval =
                lowbit("eval", "--device", "gpu", dir.resolve("model.lbw").toString());
        assertThat(eval.exitCode()).isEqualTo(2);
        assertThat(eval.err()).isEqualTo(NO_GPU);
    }

    @Test
    void aDeviceThatDoesNotExistNamesTheOnesThatDo() {
        for (String command : new String[] {"run", "eval", "bench"}) {
            String[] args = switch (command) {
                case "eval" ->
                    new String[] {
                        "eval", "--device", "tpu", dir.resolve("model.lbw").toString()
                    };
                case "bench" -> new String[] {"bench", "training", "--device", "tpu"};
                default ->
                    new String[] {
                        "run",
                        "--device",
                        "tpu",
                        "--out",
                        dir.resolve("results").toString()
                    };
            };
            CliTest.Result result = lowbit(args);
            assertThat(result.exitCode()).as(command).isEqualTo(2);
            assertThat(result.err()).as(command).isEqualTo("lowbit: Unknown --device 'tpu'. Available: [cpu, gpu].\n");
        }
    }
}
