package dev.lowbit.harness.train;

import com.sun.jna.Platform;
import dev.lowbit.harness.BadInputException;
import java.util.List;
import java.util.Map;

/**
 * How many intra-op threads the engine gets, and why: {@code --threads}, else what the process may really
 * use (cgroup CPU quota and cpuset, {@code SLURM_CPUS_PER_TASK}, {@code OMP_NUM_THREADS}), else the cores.
 *
 * @param count the thread count, at least 1
 * @param source where it came from, in words, e.g. {@code --threads 3} or {@code all 2 cores}
 */
public record EngineThreads(int count, String source) {

    /**
     * The variables that say how many threads this process is meant to use, first wins: OpenMP's own
     * (the first number of a list such as {@code 4,2}) and a Slurm task's {@code --cpus-per-task}.
     */
    private static final List<String> HINTS = List.of("OMP_NUM_THREADS", "SLURM_CPUS_PER_TASK");

    public EngineThreads {
        if (count < 1) {
            throw new BadInputException("--threads must be at least 1, got " + count + ".");
        }
    }

    /**
     * The threads this process should use: {@code --threads} when given (never capped); else
     * {@code OMP_NUM_THREADS}, else {@code SLURM_CPUS_PER_TASK}, each capped to what the process may use;
     * else what it may use: the smaller of its CPU affinity (a cpuset, {@code taskset}) and its cgroup's CPU
     * quota rounded up to whole CPUs (a container's or a systemd unit's limit), else all cores.
     *
     * @param requested {@code --threads}, or null to detect
     */
    public static EngineThreads choose(Integer requested) {
        if (requested != null) {
            return choose(requested, Map.of(), null);
        }
        return choose(null, System.getenv(), Platform.isLinux() ? CpuLimits.ofThisProcess() : null);
    }

    /**
     * {@link #choose(Integer)} with the environment and the limits given.
     *
     * @param limits the Linux limits, or null where there are none to read: all the JVM's processors
     */
    static EngineThreads choose(Integer requested, Map<String, String> environment, CpuLimits limits) {
        if (requested != null) {
            return new EngineThreads(requested, "--threads " + requested);
        }
        CpuLimits.Limit limit = limits != null
                ? limits.hardLimit()
                : CpuLimits.allCores(Runtime.getRuntime().availableProcessors());
        for (String hint : HINTS) {
            Integer wanted = positiveCount(environment.get(hint));
            if (wanted != null) {
                String source = hint + "=" + wanted;
                return wanted <= limit.cpus()
                        ? new EngineThreads(wanted, source)
                        : new EngineThreads(limit.cpus(), source + ", capped to " + limit.name());
            }
        }
        return new EngineThreads(limit.cpus(), limit.source());
    }

    /** The first number of {@code value} when it is a positive count; null when unset or not a count. */
    private static Integer positiveCount(String value) {
        if (value == null) {
            return null;
        }
        String first = value.split(",", -1)[0].trim();
        if (!first.matches("\\d{1,6}")) {
            return null;
        }
        int count = Integer.parseInt(first);
        return count > 0 ? count : null;
    }

    /** E.g. {@code 2 threads (all 2 cores)}. */
    public String describe() {
        return count + (count == 1 ? " thread" : " threads") + " (" + source + ")";
    }
}
