package dev.lowbit.harness.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.sun.jna.Library;
import com.sun.jna.Native;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.quantizers.TernaryQuantizer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class EngineSettingsTest {

    @Test
    void setsTheEngineThreadsAndDefaultsToWhatTheProcessMayUse() {
        assertThat(EngineSettings.apply(3)).isEqualTo(new EngineThreads(3, "--threads 3"));
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("3");
        assertThat(System.getProperty("ai.djl.pytorch.num_interop_threads")).isEqualTo("1");
        EngineThreads detected = EngineSettings.apply((Integer) null);
        assertThat(detected.count()).isBetween(1, Runtime.getRuntime().availableProcessors());
        assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo(String.valueOf(detected.count()));
    }

    /** lowbit's wait policy is set only when the user chose none, and only while it can still take effect. */
    @Test
    void theOpenMpWaitPolicyIsTheUsersElseLowbitsWhileTheEngineIsNotLoaded() {
        List<String> set = new ArrayList<>();
        BiFunction<String, String, String> setenv = (name, value) -> {
            set.add(name + "=" + value);
            return null;
        };

        assertThat(EngineSettings.waitPolicy(Map.of("PATH", "/bin"), setenv, () -> false))
                .isEqualTo("OMP_WAIT_POLICY=PASSIVE (lowbit's default)");
        assertThat(set).containsExactly("OMP_WAIT_POLICY=PASSIVE");

        set.clear();
        assertThat(EngineSettings.waitPolicy(Map.of("OMP_WAIT_POLICY", "PASSIVE"), setenv, () -> true))
                .isEqualTo("OMP_WAIT_POLICY=PASSIVE (lowbit's default)");
        assertThat(EngineSettings.waitPolicy(Map.of("OMP_WAIT_POLICY", "ACTIVE"), setenv, () -> false))
                .isEqualTo("OMP_WAIT_POLICY=ACTIVE (from the environment)");
        assertThat(EngineSettings.waitPolicy(
                        Map.of("GOMP_SPINCOUNT", "300000", "OMP_WAIT_POLICY", "PASSIVE"), setenv, () -> false))
                .isEqualTo("OMP_WAIT_POLICY=PASSIVE, GOMP_SPINCOUNT=300000 (from the environment)");
        assertThat(EngineSettings.waitPolicy(Map.of(), setenv, () -> true))
                .isEqualTo("OpenMP's default (OMP_WAIT_POLICY=PASSIVE not set: the engine had already loaded)");
        assertThat(set).isEmpty();

        assertThat(EngineSettings.waitPolicy(Map.of(), (name, value) -> "not Linux", () -> false))
                .isEqualTo("OpenMP's default (OMP_WAIT_POLICY=PASSIVE not set: not Linux)");
    }

    /**
     * The variable goes into the C environment, where libgomp reads it, not into Java's copy. A process
     * started from here inherits the C environment unless its builder's environment was changed: a bench
     * copy or run worker then gets lowbit's default either way, from this process or by setting it itself.
     */
    @Test
    @EnabledOnOs(OS.LINUX)
    void theWaitPolicyIsSetInTheCEnvironmentWhichChildrenInheritUnlessTheirEnvironmentIsChanged() throws Exception {
        EngineSettings.apply((Integer) null);
        String policy = EngineSettings.waitPolicy();
        Assumptions.assumeTrue(
                policy.endsWith("(lowbit's default)") && System.getenv("OMP_WAIT_POLICY") == null,
                "lowbit set no wait policy in this JVM (the user's environment has one, or the engine loaded first): "
                        + policy);

        assertThat(Native.load("c", CEnvironment.class).getenv("OMP_WAIT_POLICY"))
                .isEqualTo("PASSIVE");
        String print = "echo \"${OMP_WAIT_POLICY-unset}\"";
        assertThat(output(new ProcessBuilder("sh", "-c", print))).isEqualTo("PASSIVE");
        ProcessBuilder changed = new ProcessBuilder("sh", "-c", print);
        changed.environment().put("SLURM_CPUS_PER_TASK", "1");
        assertThat(output(changed)).isEqualTo("unset");
    }

    private static String output(ProcessBuilder builder) throws Exception {
        Process child = builder.start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(child.waitFor()).isZero();
        return output;
    }

    /** The C library's getenv, to see what libgomp will see. */
    private interface CEnvironment extends Library {
        String getenv(String name);
    }

    @Test
    void rejectsFewerThanOneThread() {
        assertThatThrownBy(() -> EngineSettings.apply(0))
                .isInstanceOf(BadInputException.class)
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
