package dev.lowbit.harness.cli;

import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.train.EngineThreads;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How many runs {@code lowbit run} trains at once, each in a worker process of its own, and the engine threads
 * each worker gets: the thread budget (what the process may use, {@link EngineThreads#choose}) split as evenly
 * as possible, every worker at least one thread.
 *
 * <p>{@code --workers auto} (the default) is one worker per thread of the budget, at most one per run still to
 * train and one per {@value #GIB_PER_WORKER} GiB of physical memory (container-aware): the small models of a
 * grid barely use a second thread, so a second process uses it far better. Measured on the 2-core development
 * machine (fp32 vit-small training step): one process with 2 threads took about 48 ms a step, two processes
 * with 1 thread each about 57 ms a step each, so nearly twice the steps per second together. The memory cap
 * keeps a grid of large models from swapping: a worker JVM with PyTorch, a dataset and a model in training
 * stays well under that.
 *
 * @param threads each worker's engine threads, one entry per worker
 */
public record WorkerPlan(List<Integer> threads) {

    /** Physical memory each worker may count on, for {@code auto}. */
    static final int GIB_PER_WORKER = 3;

    public WorkerPlan {
        threads = List.copyOf(threads);
    }

    /** How many workers. */
    public int count() {
        return threads.size();
    }

    /**
     * {@code --workers} as given.
     *
     * @return N, or null for {@code auto}
     * @throws BadInputException unless it is {@code auto} or a whole number of at least 1
     */
    public static Integer parse(String text) {
        if (text == null || text.strip().equalsIgnoreCase("auto")) {
            return null;
        }
        try {
            int count = Integer.parseInt(text.strip());
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new BadInputException("Invalid --workers '" + text + "': give a whole number of at least 1 (1 trains"
                + " in this process alone) or auto (one per engine thread, at most one per run still to train).");
    }

    /**
     * The workers for {@code pending} runs.
     *
     * @param requested {@code --workers N}, or null for auto
     * @param budget the engine threads this invocation may use in all
     * @param pending the runs not finished yet; more workers than that would have nothing to do
     * @param memoryBytes the physical memory, for auto
     */
    public static WorkerPlan choose(Integer requested, EngineThreads budget, int pending, long memoryBytes) {
        int wanted = requested != null
                ? requested
                : Math.min(budget.count(), (int) Math.max(1, memoryBytes / ((long) GIB_PER_WORKER << 30)));
        int count = Math.max(1, Math.min(wanted, pending));
        List<Integer> threads = new ArrayList<>();
        for (int worker = 0; worker < count; worker++) {
            // The first (budget % count) workers get one thread more; none gets less than one.
            threads.add(Math.max(1, budget.count() / count + (worker < budget.count() % count ? 1 : 0)));
        }
        return new WorkerPlan(threads);
    }

    /** The physical memory of this machine, or of its container when it has a limit. */
    public static long physicalMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory(); // another JVM: at least what this one may use
    }

    /**
     * E.g. {@code 2 workers x 1 thread}, {@code 2 workers x 3+2 threads}, or with more workers than the budget's
     * threads {@code 3 workers x 1 thread, more workers than the budget of 2 threads (all 2 cores): they share it}.
     */
    public String describe(EngineThreads budget) {
        boolean even = Collections.min(threads).equals(Collections.max(threads));
        String each = even
                ? String.valueOf(threads.get(0))
                : threads.stream().map(String::valueOf).collect(Collectors.joining("+"));
        String text = count() + (count() == 1 ? " worker" : " workers") + " x " + each
                + (even && threads.get(0) == 1 ? " thread" : " threads");
        if (count() > budget.count()) {
            text += ", more workers than the budget of " + budget.describe() + ": they share it";
        }
        return text;
    }
}
