package dev.lowbit.harness.cli;

import picocli.CommandLine.Command;

/** The top-level command; its subcommands do the work. */
@Command(
        name = "lowbit",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = "Train neural networks whose weights take only a few values, beside their fp32 twin,"
                + " and report the difference.",
        subcommands = {
            ListCommand.class,
            RunCommand.class,
            PlanCommand.class,
            ReportCommand.class,
            ExportCommand.class,
            EvalCommand.class,
            BenchCommand.class,
            DatasetsCommand.class,
            CompletionCommand.class
        })
public final class LowbitCommand {}
