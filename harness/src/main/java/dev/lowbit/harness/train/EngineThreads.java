package dev.lowbit.harness.train;

import dev.lowbit.harness.BadInputException;

/**
 * How many intra-op threads the engine gets, and why: {@code --threads}, else what the process may really
 * use (cgroup CPU quota and cpuset, {@code SLURM_CPUS_PER_TASK}, {@code OMP_NUM_THREADS}), else the cores.
 *
 * @param count the thread count, at least 1
 * @param source where it came from, in words, e.g. {@code --threads 3} or {@code all 2 cores}
 */
public record EngineThreads(int count, String source) {

    public EngineThreads {
        if (count < 1) {
            throw new BadInputException("--threads must be at least 1, got " + count + ".");
        }
    }

    /**
     * The threads this process should use.
     *
     * @param requested {@code --threads}, or null to detect
     */
    public static EngineThreads choose(Integer requested) {
        if (requested != null) {
            return new EngineThreads(requested, "--threads " + requested);
        }
        int cores = Runtime.getRuntime().availableProcessors();
        return new EngineThreads(cores, "all " + cores + " cores");
    }

    /** E.g. {@code 2 threads (all 2 cores)}. */
    public String describe() {
        return count + (count == 1 ? " thread" : " threads") + " (" + source + ")";
    }
}
