package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lowbit limited to 1 CPU uses 1 engine thread and says so in its first log line and in every run's
 * provenance: a real cgroup with a CPU quota of 1 CPU (as a container's {@code --cpus 1} or
 * {@code systemd-run -p CPUQuota=100%} makes), a CPU affinity of one core ({@code taskset}), and a Slurm
 * task's {@code SLURM_CPUS_PER_TASK=1}. Each trains one short run in a child process.
 */
@Tag("training")
@EnabledOnOs(OS.LINUX)
class CpuQuotaCliTest {

    /** The cgroup v1 file listing a cgroup's processes; v2 has the same name. */
    private static final String PROCS = "cgroup.procs";

    @TempDir
    Path dir;

    private final ObjectMapper json = new ObjectMapper();

    /** The cgroup made by a test, removed after it (once its processes have exited). */
    private Path cgroup;

    @AfterEach
    void removeCgroup() throws IOException {
        if (cgroup != null) {
            Files.deleteIfExists(cgroup); // rmdir: a cgroup's control files go with it
        }
    }

    @Test
    void inACgroupWithAQuotaOfOneCpuItTrainsWithOneThreadAndSaysWhy() throws Exception {
        oneCpuCgroup();
        List<String> command = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > \"$1\" && shift && exec \"$@\"",
                "sh",
                cgroup.resolve(PROCS).toString()));
        command.addAll(lowbitRun());

        Child child = run(command, Map.of());

        String source = "cgroup CPU quota 100000/100000 us of " + cgroup + " = 1 CPU";
        assertThat(child.firstLine()).startsWith("engine: 1 thread (" + source + "); OpenMP wait ");
        assertWaitPolicy(child);
        JsonNode provenance = child.provenance();
        assertThat(provenance.get("threads").asText()).isEqualTo("1");
        assertThat(provenance.get("threads.source").asText()).isEqualTo(source);
    }

    @Test
    void withAnAffinityToOneCoreItTrainsWithOneThread() throws Exception {
        Path taskset = Path.of("/usr/bin/taskset");
        Assumptions.assumeTrue(Files.isExecutable(taskset), "needs taskset (util-linux) at " + taskset);
        Assumptions.assumeTrue(Runtime.getRuntime().availableProcessors() > 1, "one core: no affinity narrows it");
        List<String> command = new ArrayList<>(List.of(taskset.toString(), "-c", "0"));
        command.addAll(lowbitRun());

        Child child = run(command, Map.of());

        assertThat(child.firstLine())
                .matches("engine: 1 thread \\(CPU affinity: 1 of \\d+ cores"
                        + " \\(Cpus_allowed_list 0\\)\\); OpenMP wait .*");
        assertThat(child.provenance().get("threads").asText()).isEqualTo("1");
        assertThat(child.provenance().get("threads.source").asText()).startsWith("CPU affinity: 1 of ");
    }

    @Test
    void inASlurmTaskWithOneCpuItTrainsWithOneThread() throws Exception {
        Child child = run(lowbitRun(), Map.of("SLURM_CPUS_PER_TASK", "1"));

        assertThat(child.firstLine()).startsWith("engine: 1 thread (SLURM_CPUS_PER_TASK=1); OpenMP wait ");
        assertWaitPolicy(child);
        assertThat(child.provenance().get("threads.source").asText()).isEqualTo("SLURM_CPUS_PER_TASK=1");
        assertThat(child.provenance().get("openmp.wait").asText())
                .isEqualTo(child.firstLine()
                        .substring(child.firstLine().indexOf("OpenMP wait ") + "OpenMP wait ".length()));
    }

    /** Unless the user chose a wait policy, lowbit's own is in effect, in a process it started too. */
    private static void assertWaitPolicy(Child child) {
        if (System.getenv("OMP_WAIT_POLICY") == null && System.getenv("GOMP_SPINCOUNT") == null) {
            assertThat(child.firstLine()).endsWith("; OpenMP wait OMP_WAIT_POLICY=PASSIVE (lowbit's default)");
        }
    }

    /** {@code lowbit run} of one short run, in a new JVM like the tests'. */
    private List<String> lowbitRun() {
        List<String> command = new ArrayList<>(LowbitProcesses.command(List.of(
                "run",
                "--quantizer",
                "ternary",
                "--arch",
                "fcnn-small",
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--out",
                dir.resolve("results").toString(),
                "--data",
                CliTest.FASHION_MNIST.toString())));
        command.add(1, "-Dai.djl.offline=true");
        return command;
    }

    /** What a finished child wrote. */
    private record Child(String firstLine, JsonNode provenance) {}

    private Child run(List<String> command, Map<String, String> environment) throws Exception {
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        ProcessBuilder builder =
                new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove("OMP_NUM_THREADS"); // a hint that would win over the limit under test
        builder.environment().remove("SLURM_CPUS_PER_TASK");
        builder.environment().putAll(environment);
        Process process = builder.start();
        assertThat(process.waitFor(5, TimeUnit.MINUTES))
                .as("lowbit finished within 5 minutes")
                .isTrue();
        String log = Files.readString(err, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(Files.readString(out) + log).isZero();
        try (Stream<Path> runs = Files.list(dir.resolve("results").resolve("quick"))) {
            List<Path> finished =
                    runs.filter(run -> Files.exists(run.resolve("run.json"))).toList();
            assertThat(finished).hasSize(1);
            return new Child(
                    log.lines().findFirst().orElse(""),
                    json.readTree(finished.get(0).resolve("run.json").toFile()).get("provenance"));
        }
    }

    /**
     * A new cgroup limited to 1 CPU: cgroup v1's cpu controller (100,000 us of CPU time per 100,000 us
     * period), else cgroup v2's {@code cpu.max}. Skips the test where none can be made (not root, cgroups
     * read-only, as in most containers).
     */
    private void oneCpuCgroup() throws IOException {
        String name = "lowbit-test-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        for (String line : mounts) {
            String[] filesystem = line.substring(line.indexOf(" - ") + 3).split(" ");
            String mountPoint = line.split(" ")[4];
            if (filesystem[0].equals("cgroup")
                    && filesystem.length > 2
                    && List.of(filesystem[2].split(",")).contains("cpu")) {
                cgroup = make(Path.of(mountPoint).resolve(name));
                write(cgroup, "cpu.cfs_period_us", "100000");
                write(cgroup, "cpu.cfs_quota_us", "100000");
                return;
            }
        }
        for (String line : mounts) {
            String mountPoint = line.split(" ")[4];
            if (line.substring(line.indexOf(" - ") + 3).startsWith("cgroup2 ")) {
                Path root = Path.of(mountPoint);
                String controllers = Files.readString(root.resolve("cgroup.controllers"));
                Assumptions.assumeTrue(
                        List.of(controllers.trim().split(" ")).contains("cpu"),
                        "the cgroup v2 hierarchy at " + root + " has no cpu controller (" + controllers.trim() + ")");
                write(root, "cgroup.subtree_control", "+cpu");
                cgroup = make(root.resolve(name));
                write(cgroup, "cpu.max", "100000 100000");
                return;
            }
        }
        Assumptions.abort("no cgroup hierarchy with the cpu controller is mounted");
    }

    private static Path make(Path cgroup) {
        try {
            return Files.createDirectory(cgroup);
        } catch (IOException e) {
            Assumptions.abort("cannot make a cgroup (needs root and writable cgroups): " + e);
            return null;
        }
    }

    private static void write(Path cgroup, String file, String value) {
        try {
            Files.writeString(cgroup.resolve(file), value);
        } catch (IOException e) {
            Assumptions.abort("cannot set " + cgroup.resolve(file) + " to " + value + ": " + e);
        }
    }
}
