package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slurm path for real: the job array {@code lowbit plan --format slurm} writes is submitted to a
 * running Slurm cluster (CI starts a single-node one with .ci/start-slurm) and its tasks, one shard
 * each, fill one results folder that {@code lowbit report} then merges.
 */
@Tag("slurm")
class SlurmJobArrayTest {

    @TempDir
    Path dir;

    @Test
    void aSlurmJobArrayTrainsEveryRunOfThePlanIntoOneResultsFolder() throws Exception {
        assumeTrue(slurmIsUp(), "no Slurm cluster answers sinfo; start one with .ci/start-slurm (as root)");
        Path results = dir.resolve("results");
        Path script = dir.resolve("job.sh");
        String launcher = Path.of(System.getProperty("java.home"), "bin", "java") + " -Dai.djl.offline=true -cp "
                + System.getProperty("java.class.path") + " " + Main.class.getName();
        CliTest.Result plan = lowbit(
                "plan",
                "--suite",
                "quick",
                "--quantizer",
                "fp32,ternary,quinary",
                "--epochs",
                "1",
                "--train-limit",
                "1000",
                "--format",
                "slurm",
                "--tasks",
                "2",
                "--cpus",
                "1",
                "--out",
                results.toString(),
                "--launcher",
                launcher,
                "-o",
                script.toString());
        assertThat(plan.exitCode()).as(plan.err()).isZero();

        Process sbatch = new ProcessBuilder("sbatch", "--wait", "--chdir=" + dir, script.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("sbatch.log").toFile())
                .start();
        assertThat(sbatch.waitFor(10, TimeUnit.MINUTES))
                .as("the job array finished within 10 minutes")
                .isTrue();

        assertThat(sbatch.exitValue())
                .as(Files.readString(dir.resolve("sbatch.log")))
                .isZero();
        try (Stream<Path> runs = Files.list(results.resolve("quick"))) {
            assertThat(runs.filter(p -> Files.exists(p.resolve("run.json")))).hasSize(3);
        }
        try (Stream<Path> logs = Files.list(dir)) {
            assertThat(logs.filter(p -> p.getFileName().toString().matches("lowbit-quick-\\d+_[12]\\.out")))
                    .hasSize(2);
        }
        CliTest.Result report = lowbit("report", results.resolve("quick").toString());
        assertThat(report.exitCode()).as(report.err()).isZero();
    }

    private static boolean slurmIsUp() {
        try {
            Process sinfo = new ProcessBuilder("sinfo", "-h", "-o", "%T")
                    .redirectErrorStream(true)
                    .start();
            String state = new String(sinfo.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            return sinfo.waitFor(20, TimeUnit.SECONDS)
                    && sinfo.exitValue() == 0
                    && state.matches("(?s).*(idle|mixed|allocated).*");
        } catch (Exception e) {
            return false;
        }
    }
}
