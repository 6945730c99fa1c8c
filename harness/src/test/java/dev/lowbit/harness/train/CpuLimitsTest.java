package dev.lowbit.harness.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What this process may use, read from fake /proc and /sys trees as cgroup v1, v2, containers and
 * taskset leave them; unreadable files are ignored, never a crash.
 */
class CpuLimitsTest {

    /** A cgroup v1 machine: the cpu controller co-mounted with cpuacct, as systemd does. */
    private static final String V1_MOUNTS = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:7 - cgroup cgroup rw,cpu,cpuacct
            34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime shared:8 - cgroup cgroup rw,cpuset
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime shared:9 - cgroup cgroup rw,memory
            """;

    private static final String V2_MOUNTS = """
            25 30 0:23 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
            """;

    @TempDir
    Path root;

    @Test
    void aCgroupV1QuotaOfOneCpuLimitsTheProcessToOneThread() throws IOException {
        machine("0-1", "0-1", "4:cpu,cpuacct:/lowbit-test\n3:memory:/other\n", V1_MOUNTS);
        write("sys/fs/cgroup/cpu,cpuacct/lowbit-test/cpu.cfs_quota_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/lowbit-test/cpu.cfs_period_us", "100000\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000\n");

        assertThat(limits().hardLimit())
                .isEqualTo(new CpuLimits.Limit(
                        1,
                        "cgroup CPU quota 100000/100000 us of /sys/fs/cgroup/cpu,cpuacct/lowbit-test = 1 CPU",
                        "the cgroup CPU quota of 1"));
    }

    @Test
    void aParentsQuotaLimitsItsChildrenAndAPartCpuRoundsUp() throws IOException {
        machine("0-7", "0-7", "0::/batch.slice/job.scope/task\n", V2_MOUNTS);
        write("sys/fs/cgroup/batch.slice/job.scope/task/cpu.max", "max 100000\n");
        write("sys/fs/cgroup/batch.slice/job.scope/cpu.max", "250000 100000\n");
        write("sys/fs/cgroup/batch.slice/cpu.max", "400000 100000\n");

        CpuLimits.Limit limit = limits().hardLimit();

        assertThat(limit.cpus()).isEqualTo(3);
        assertThat(limit.source())
                .isEqualTo("cgroup CPU quota 250000/100000 us of /sys/fs/cgroup/batch.slice/job.scope" + " = 3 CPUs");
    }

    @Test
    void aQuotaBelowOneCpuIsStillOneThread() throws IOException {
        machine("0-1", "0-1", "0::/small\n", V2_MOUNTS);
        write("sys/fs/cgroup/small/cpu.max", "20000 100000");

        assertThat(limits().hardLimit().cpus()).isEqualTo(1);
    }

    /** Docker without a cgroup namespace: the mount shows the container's own cgroup as its root. */
    @Test
    void aContainersMountedCgroupIsFoundThroughTheMountRoot() throws IOException {
        machine("0-3", "0-3", "5:cpu,cpuacct:/docker/4f2e\n", """
                40 31 0:30 /docker/4f2e /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
                """);
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us", "200000");
        write("sys/fs/cgroup/cpu,cpuacct/cpu.cfs_period_us", "100000");

        assertThat(limits().hardLimit().source())
                .isEqualTo("cgroup CPU quota 200000/100000 us of" + " /sys/fs/cgroup/cpu,cpuacct = 2 CPUs");
    }

    /** A cgroup namespace (docker --cgroupns=private): the process is at the root of what it sees. */
    @Test
    void aCgroupNamespacesRootQuotaCounts() throws IOException {
        machine("0-3", "0-3", "0::/\n", V2_MOUNTS);
        write("sys/fs/cgroup/cpu.max", "100000 100000");

        assertThat(limits().hardLimit().cpus()).isEqualTo(1);
    }

    @Test
    void mountPointsWithEscapedSpacesAreFound() throws IOException {
        machine("0-3", "0-3", "0::/a b\n", """
                25 30 0:23 / /sys/fs/cgroup\\040v2 rw - cgroup2 cgroup2 rw
                """);
        write("sys/fs/cgroup v2/a b/cpu.max", "100000 100000");

        assertThat(limits().hardLimit().source())
                .isEqualTo("cgroup CPU quota 100000/100000 us of" + " /sys/fs/cgroup v2/a b = 1 CPU");
    }

    @Test
    void noQuotaAnywhereIsAllCores() throws IOException {
        machine(
                "0-1",
                "0-1",
                "0::/user.slice\n1:cpu:/user.slice\n",
                V2_MOUNTS + V1_MOUNTS.replace("cpu,cpuacct", "cpu"));
        write("sys/fs/cgroup/user.slice/cpu.max", "max 100000\n");
        write("sys/fs/cgroup/cpu/user.slice/cpu.cfs_quota_us", "-1\n");
        write("sys/fs/cgroup/cpu/user.slice/cpu.cfs_period_us", "100000\n");

        assertThat(limits().hardLimit()).isEqualTo(new CpuLimits.Limit(2, "all 2 cores", "the 2 cores"));
    }

    @Test
    void anAffinityToOneCoreIsOneThread() throws IOException {
        machine("0-1", "1", "0::/\n", V2_MOUNTS);

        assertThat(limits().hardLimit())
                .isEqualTo(new CpuLimits.Limit(
                        1, "CPU affinity: 1 of 2 cores (Cpus_allowed_list 1)", "the CPU affinity of 1"));
    }

    /** Containers often allow every possible CPU; only the online ones count. */
    @Test
    void allowedCpusThatAreNotOnlineDoNotCount() throws IOException {
        machine("0-3", "0-127", "0::/\n", V2_MOUNTS);

        assertThat(limits().hardLimit().source()).isEqualTo("all 4 cores");
    }

    @Test
    void theSmallerOfAffinityAndQuotaWins() throws IOException {
        machine("0-7", "0-2,5", "0::/job\n", V2_MOUNTS);
        write("sys/fs/cgroup/job/cpu.max", "600000 100000");
        assertThat(limits().hardLimit().source()).isEqualTo("CPU affinity: 4 of 8 cores (Cpus_allowed_list 0-2,5)");

        write("sys/fs/cgroup/job/cpu.max", "150000 100000");
        assertThat(limits().hardLimit().cpus()).isEqualTo(2);
    }

    @Test
    void withoutAnyFileItIsTheProcessorsTheJvmSees() {
        assertThat(new CpuLimits(root, 3).hardLimit()).isEqualTo(new CpuLimits.Limit(3, "all 3 cores", "the 3 cores"));
    }

    @Test
    void garbageIsIgnoredNeverACrash() throws IOException {
        machine("0-1", "seven", "garbage\n::\n0::\n1:cpu\n", V2_MOUNTS + "not a mount line\n1 2 3 - cgroup2\n");
        write("sys/fs/cgroup/cpu.max", "banana 100000");
        assertThat(limits().hardLimit()).isEqualTo(new CpuLimits.Limit(2, "all 2 cores", "the 2 cores"));

        write("sys/fs/cgroup/cpu.max", "100000 0");
        write("proc/self/status", "Cpus_allowed_list:\t3-1\n");
        write("sys/devices/system/cpu/online", "0-99999999999");
        assertThat(new CpuLimits(root, 2).hardLimit()).isEqualTo(new CpuLimits.Limit(2, "all 2 cores", "the 2 cores"));

        Files.write(root.resolve("proc/self/cgroup"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Files.delete(root.resolve("proc/self/mountinfo"));
        Files.createDirectories(root.resolve("proc/self/mountinfo"));
        assertThat(new CpuLimits(root, 2).hardLimit().cpus()).isEqualTo(2);
    }

    @Test
    void cpuListsReadAsTheKernelWritesThem() {
        assertThat(CpuLimits.cpuList("0-3,8,10-11\n"))
                .hasValueSatisfying(cpus -> assertThat(cpus.cardinality()).isEqualTo(7));
        assertThat(CpuLimits.cpuList("")).isEmpty();
        assertThat(CpuLimits.cpuList("0-")).isEmpty();
        assertThat(CpuLimits.cpuList("2-1")).isEmpty();
    }

    /** The hints: OMP_NUM_THREADS, else SLURM_CPUS_PER_TASK, each capped to the hard limit; --threads wins. */
    @Test
    void hintsFromTheEnvironmentAreCappedToWhatTheProcessMayUse() throws IOException {
        machine("0-3", "0-3", "0::/job\n", V2_MOUNTS);
        write("sys/fs/cgroup/job/cpu.max", "200000 100000");
        CpuLimits limits = limits();

        assertThat(EngineThreads.choose(null, Map.of(), limits))
                .isEqualTo(new EngineThreads(2, "cgroup CPU quota 200000/100000 us of /sys/fs/cgroup/job = 2 CPUs"));
        assertThat(EngineThreads.choose(null, Map.of("OMP_NUM_THREADS", "1", "SLURM_CPUS_PER_TASK", "2"), limits))
                .isEqualTo(new EngineThreads(1, "OMP_NUM_THREADS=1"));
        assertThat(EngineThreads.choose(null, Map.of("OMP_NUM_THREADS", "1,1"), limits)
                        .count())
                .isEqualTo(1);
        assertThat(EngineThreads.choose(null, Map.of("SLURM_CPUS_PER_TASK", "4"), limits))
                .isEqualTo(new EngineThreads(2, "SLURM_CPUS_PER_TASK=4, capped to the cgroup CPU quota of 2"));
        assertThat(EngineThreads.choose(null, Map.of("OMP_NUM_THREADS", "many", "SLURM_CPUS_PER_TASK", "1"), limits))
                .isEqualTo(new EngineThreads(1, "SLURM_CPUS_PER_TASK=1"));
        assertThat(EngineThreads.choose(null, Map.of("OMP_NUM_THREADS", "0"), limits)
                        .count())
                .isEqualTo(2);
        assertThat(EngineThreads.choose(8, Map.of("OMP_NUM_THREADS", "1"), limits))
                .isEqualTo(new EngineThreads(8, "--threads 8"));
        assertThat(EngineThreads.choose(null, Map.of("OMP_NUM_THREADS", "3"), new CpuLimits(root.resolve("none"), 4)))
                .isEqualTo(new EngineThreads(3, "OMP_NUM_THREADS=3"));
    }

    /** This machine, as it is: some whole number of threads, with its reason. */
    @Test
    void thisProcessHasALimit() {
        CpuLimits.Limit limit = CpuLimits.ofThisProcess().hardLimit();
        assertThat(limit.cpus()).isPositive();
        assertThat(limit.source()).isNotBlank();
    }

    private void machine(String online, String allowed, String cgroup, String mountInfo) throws IOException {
        write("sys/devices/system/cpu/online", online + "\n");
        write(
                "proc/self/status",
                "Name:\tjava\nCpus_allowed:\tff\nCpus_allowed_list:\t" + allowed + "\nVoluntary:\t1\n");
        write("proc/self/cgroup", cgroup);
        write("proc/self/mountinfo", mountInfo);
    }

    private void write(String path, String text) throws IOException {
        Path file = root.resolve(path);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    private CpuLimits limits() {
        return new CpuLimits(root, 99);
    }
}
