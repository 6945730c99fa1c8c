package dev.lowbit.harness.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.train.EngineThreads;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How many workers {@code lowbit run} starts, with how many threads each, and what each is told. */
class WorkerPlanTest {

    private static final long GIB = 1L << 30;

    private static EngineThreads threads(int count) {
        return new EngineThreads(count, "--threads " + count);
    }

    @Test
    void autoIsOneWorkerPerThreadAtMostOnePerPendingRunAndPerThreeGibibytes() {
        assertThat(WorkerPlan.choose(null, threads(2), 4, 23 * GIB).threads()).containsExactly(1, 1);
        assertThat(WorkerPlan.choose(null, threads(8), 3, 64 * GIB).threads()).containsExactly(3, 3, 2);
        assertThat(WorkerPlan.choose(null, threads(8), 10, 7 * GIB).threads())
                .as("7 GiB: 2")
                .containsExactly(4, 4);
        assertThat(WorkerPlan.choose(null, threads(8), 10, 2 * GIB).threads())
                .as("under 3 GiB: 1")
                .containsExactly(8);
        assertThat(WorkerPlan.choose(null, threads(1), 10, 64 * GIB).threads()).containsExactly(1);
        assertThat(WorkerPlan.choose(null, threads(4), 0, 64 * GIB).threads())
                .as("none left")
                .containsExactly(4);
    }

    @Test
    void anExplicitCountIsKeptUpToThePendingRunsAndEveryWorkerGetsAThread() {
        assertThat(WorkerPlan.choose(1, threads(8), 10, 64 * GIB).threads()).containsExactly(8);
        assertThat(WorkerPlan.choose(3, threads(2), 10, GIB).threads())
                .as("not capped")
                .containsExactly(1, 1, 1);
        assertThat(WorkerPlan.choose(4, threads(8), 2, 64 * GIB).threads()).containsExactly(4, 4);
        assertThat(WorkerPlan.choose(2, threads(5), 9, 64 * GIB).threads()).containsExactly(3, 2);
    }

    @Test
    void theSplitIsDescribedForTheFirstLine() {
        assertThat(WorkerPlan.choose(2, threads(2), 4, GIB).describe(threads(2)))
                .isEqualTo("2 workers x 1 thread");
        assertThat(WorkerPlan.choose(2, threads(4), 4, GIB).describe(threads(4)))
                .isEqualTo("2 workers x 2 threads");
        assertThat(WorkerPlan.choose(2, threads(5), 4, GIB).describe(threads(5)))
                .isEqualTo("2 workers x 3+2 threads");
        assertThat(WorkerPlan.choose(3, threads(2), 4, GIB).describe(threads(2)))
                .isEqualTo(
                        "3 workers x 1 thread, more workers than the budget of 2 threads (--threads 2): they share it");
    }

    @Test
    void workersIsAutoOrAWholeNumberOfAtLeastOne() {
        assertThat(WorkerPlan.parse("auto")).isNull();
        assertThat(WorkerPlan.parse("3")).isEqualTo(3);
        for (String bad : List.of("0", "-1", "two", "1.5", "")) {
            assertThatThrownBy(() -> WorkerPlan.parse(bad))
                    .isInstanceOf(BadInputException.class)
                    .hasMessageStartingWith("Invalid --workers '" + bad + "': give a whole number of at least 1");
        }
    }

    @Test
    void aWorkerRepeatsTheCommandLineWithItsOwnThreadsAndTheHiddenWorkerOptions() {
        List<String> original = List.of(
                "run",
                "--workers",
                "2",
                "--suite",
                "quick",
                "--threads=4",
                "--epochs",
                "1",
                "--workers=auto",
                "--threads",
                "3",
                "--out",
                "results");

        assertThat(RunWorkers.workerArguments(original, 2, 2, 1, Path.of("/tmp/w/worker-2.json")))
                .containsExactly(
                        "run",
                        "--suite",
                        "quick",
                        "--epochs",
                        "1",
                        "--out",
                        "results",
                        "--workers",
                        "1",
                        "--threads",
                        "1",
                        "--worker",
                        "2/2",
                        "--worker-summary",
                        "/tmp/w/worker-2.json");
    }
}
