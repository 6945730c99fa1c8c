package dev.lowbit.harness.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.nn.StraightThrough;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.quantizers.TernaryQuantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class EngineSettingsTest {

    @Test
    void setsTheEngineThreadsAndDefaultsToTheCores() {
        assertThat(EngineSettings.apply(3).count()).isEqualTo(3);
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("3");
        assertThat(System.getProperty("ai.djl.pytorch.num_interop_threads")).isEqualTo("1");
        assertThat(EngineSettings.apply((Integer) null).count()).isEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void rejectsFewerThanOneThread() {
        assertThatThrownBy(() -> EngineSettings.apply(0)).isInstanceOf(BadInputException.class)
                .hasMessage("--threads must be at least 1, got 0.");
    }

    /**
     * The reason for the memory setting, counted rather than timed: a quantized layer's training
     * step allocates and frees arrays of the weight's size, and with glibc's defaults their pages go
     * back to the system and fault in again (measured on a 1024x1024 weight: 90,000 to 126,000
     * faults in 50 steps without the setting, 100 to 2,200 with it, on 1 or 2 engine threads).
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void aQuantizedWeightsStepReusesFreedMemoryInsteadOfFaultingItIn() throws IOException {
        EngineSettings.apply((Integer) null);
        Quantizer ternary = new TernaryQuantizer();
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray weights = manager.randomNormal(new Shape(1024, 1024));
            weights.setRequiresGradient(true);
            for (int warmUp = 0; warmUp < 5; warmUp++) {
                forwardAndBackward(manager, weights, ternary);
            }
            long before = minorPageFaults();
            for (int step = 0; step < 50; step++) {
                forwardAndBackward(manager, weights, ternary);
            }
            assertThat(minorPageFaults() - before).isLessThan(10_000);
        }
    }

    private static void forwardAndBackward(NDManager manager, NDArray weights, Quantizer quantizer) {
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            tape.backward(StraightThrough.quantize(weights, quantizer, batch).sum());
        }
    }

    /** The process's minor page faults so far (field 10 of /proc/self/stat). */
    private static long minorPageFaults() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[7]);
    }
}
