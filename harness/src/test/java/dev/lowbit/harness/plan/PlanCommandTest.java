package dev.lowbit.harness.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.cli.CliTest;
import dev.lowbit.harness.store.RunIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/** {@code lowbit plan} in-process: the table with its estimate, and the cluster scripts. */
class PlanCommandTest {

    @TempDir
    Path dir;

    private final SuiteLoader loader =
            new SuiteLoader(SuiteLoaderTest.ARCHITECTURE_REGISTRY, SuiteLoaderTest.QUANTIZER_REGISTRY);

    @Test
    void tableEstimatesFromStoredEpochsAndMarksFinishedRunsDone() throws Exception {
        RunConfig fp32 = Plan.of(
                        loader.load("quick"),
                        s -> SuiteLoaderTest.QUANTIZER_REGISTRY.resolve(s).spec())
                .get(0);
        Path run = Files.createDirectories(dir.resolve("quick").resolve(RunIds.of(fp32)));
        Files.writeString(
                run.resolve("run.json"),
                new ObjectMapper().writeValueAsString(Map.of("status", "FINISHED", "config", fp32)));
        Files.writeString(
                run.resolve("epochs.jsonl"), "{\"epoch\":1,\"seconds\":2.0}\n{\"epoch\":2,\"seconds\":4.0}\n");

        CliTest.Result result = CliTest.lowbit("plan", "--suite", "quick", "--out", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        List<String> lines = result.out().lines().toList();
        assertThat(lines.get(0)).isEqualTo("Suite 'quick' (fashion-mnist): 4 runs -> " + dir.resolve("quick"));
        assertThat(lines.get(1)).matches("run id +architecture +quantizer +recipe +seed +epochs +estimate +status");
        assertThat(lines.get(2))
                .matches(RunIds.of(fp32).replace(".", "\\.") + " +fcnn-small +fp32 +adam-constant +1 +3 +9 s +done");
        assertThat(lines.get(3))
                .matches("fcnn-small\\.binary\\.s1\\.[0-9a-f]{8} +fcnn-small +binary@mse/tensor"
                        + " +adam-constant +1 +3 +9 s");
        // 3 epochs x 3.0 s (the mean of 2.0 and 4.0) per run; the quantized runs borrow the fp32 run's epochs.
        assertThat(lines.get(6))
                .isEqualTo("4 runs, 1 done. Estimated time on one worker: 36 s in all, 27 s still to run.");
        assertThat(lines.subList(8, 10))
                .containsExactly(
                        "  fcnn-small     fp32           3.0 s  mean of 2 stored epochs under " + dir,
                        "  fcnn-small     quantized      3.0 s  mean of 2 stored epochs of its fp32 runs under " + dir);
    }

    @Test
    void tableFallsBackToTheBuiltInMeasurementsScaledByTheTrainLimitAndShowsOneShard() {
        CliTest.Result result = CliTest.lowbit(
                "plan", "--suite", "paper", "--train-limit", "6000", "--shard", "2/3", "--out", dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .startsWith("Suite 'paper' (fashion-mnist), shard 2/3: 108 of 324 runs -> ")
                .contains("108 runs, 0 done.")
                .contains("  vit-large      quantized     48.7 s  built-in table, measured 2026-11-26 on the 2-core"
                        + " development machine");
        // Run 2 of the plan (fcnn-small, binary) is the first of shard 2/3: 10 epochs x 2.1 s x 6,000 / 60,000.
        assertThat(result.out().lines().skip(2).findFirst().orElseThrow())
                .matches("fcnn-small\\.binary\\.s1\\.[0-9a-f]{8} +fcnn-small +binary@mse/tensor +base +1 +10 +2 s");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void slurmScriptIsAJobArrayWhoseTasksRunOneShardEach() throws Exception {
        Path script = dir.resolve("paper.sbatch");

        CliTest.Result result = CliTest.lowbit(
                "plan",
                "--suite",
                "paper",
                "--format",
                "slurm",
                "--arch",
                "fcnn-small",
                "--quantizer",
                "fp32,levels:-2,-1,1,2",
                "--epochs",
                "2",
                "--out",
                "/shared/results",
                "-o",
                script.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out())
                .isEqualTo("Wrote " + script + " (12 runs); submit it with: sbatch " + script + System.lineSeparator());
        String text = Files.readString(script);
        List<String> lines = text.lines().toList();
        assertThat(lines.get(0)).isEqualTo("#!/bin/bash");
        assertThat(lines)
                .contains(
                        "#SBATCH --array=1-12",
                        "#SBATCH --cpus-per-task=2",
                        "#SBATCH --nodes=1",
                        "#SBATCH --time=0-00:11:00",
                        "exec ./lowbit run --suite paper --shard \"${SLURM_ARRAY_TASK_ID}/12\" --out /shared/results --threads 2"
                                + " --arch fcnn-small --quantizer fp32,levels:-2,-1,1,2 --epochs 2");
        // sbatch reads #SBATCH lines only before the first command.
        int firstCommand = lines.indexOf(lines.stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#"))
                .findFirst()
                .orElseThrow());
        assertThat(lines.subList(firstCommand, lines.size())).noneMatch(l -> l.startsWith("#SBATCH"));
        Process bash = new ProcessBuilder("bash", "-n", script.toString())
                .redirectErrorStream(true)
                .start();
        assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bash.exitValue())
                .as(new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();
    }

    @Test
    @SuppressWarnings("unchecked")
    void k8sManifestIsAnIndexedJobWithAVolumeClaimForTheResults() {
        CliTest.Result result = CliTest.lowbit(
                "plan",
                "--suite",
                "quick",
                "--format",
                "k8s",
                "--tasks",
                "3",
                "--image",
                "registry.example/lowbit:1.0",
                "--out",
                dir.toString());

        assertThat(result.exitCode()).as(result.err()).isZero();
        Map<String, Object> job = new Yaml().load(result.out());
        assertThat(job).containsEntry("apiVersion", "batch/v1").containsEntry("kind", "Job");
        assertThat((Map<String, Object>) job.get("metadata")).containsEntry("name", "lowbit-quick");
        Map<String, Object> spec = (Map<String, Object>) job.get("spec");
        assertThat(spec)
                .containsEntry("completionMode", "Indexed")
                .containsEntry("completions", 3)
                .containsEntry("parallelism", 3);
        Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) spec.get("template")).get("spec");
        Map<String, Object> container = ((List<Map<String, Object>>) pod.get("containers")).get(0);
        assertThat(container).containsEntry("image", "registry.example/lowbit:1.0");
        assertThat(container.get("command"))
                .isEqualTo(List.of(
                        "/bin/sh",
                        "-c",
                        "exec ./lowbit run --suite quick" + " --shard $((JOB_COMPLETION_INDEX+1))/3 --out " + dir
                                + " --threads 2"));
        assertThat(container.get("volumeMounts"))
                .isEqualTo(List.of(Map.of("name", "results", "mountPath", dir.toString())));
        assertThat(pod.get("volumes"))
                .isEqualTo(List.of(
                        Map.of("name", "results", "persistentVolumeClaim", Map.of("claimName", "lowbit-results"))));
        assertThat(pod).containsEntry("restartPolicy", "Never");
    }

    @Test
    void slurmTimeLimitIsTheEstimateWithAMarginAndShellWordsAreQuoted() {
        assertThat(ClusterScripts.timeLimit(20 * 3600)).isEqualTo("1-06:10:00");
        assertThat(ClusterScripts.timeLimit(0)).isEqualTo("1-00:00:00");
        assertThat(ClusterScripts.quote("suites/my suite.yaml")).isEqualTo("'suites/my suite.yaml'");
        assertThat(ClusterScripts.quote("it's")).isEqualTo("'it'\\''s'");
        assertThat(ClusterScripts.quote("levels:-2,-1,1,2@mse/channel")).isEqualTo("levels:-2,-1,1,2@mse/channel");
        assertThat(ClusterScripts.jobName("My_Suite.v2")).isEqualTo("lowbit-my-suite-v2");
    }

    @Test
    void clusterFormatsShardThemselves() {
        CliTest.Result result = CliTest.lowbit("plan", "--format", "slurm", "--shard", "1/2");

        assertThat(result.exitCode()).isEqualTo(2);
        assertThat(result.err())
                .isEqualTo("lowbit: --shard shows one shard's runs in a table or JSON; --format slurm shards"
                        + " the whole plan itself (set the number of shards with --tasks)." + System.lineSeparator());
    }
}
