package dev.lowbit.harness.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;

/** {@code lowbit bench}: the benchmarks, one subcommand each; alone it lists them. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measure how long lowbit's own work takes on this machine.",
        subcommands = {BenchReportCommand.class, BenchTrainingCommand.class, BenchInferenceCommand.class})
public final class BenchCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand there is nothing to measure: show which benchmarks exist. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }
}
