/**
 * The {@code lowbit} command line (Picocli): {@link dev.lowbit.harness.cli.Main}, the top-level
 * {@link dev.lowbit.harness.cli.LowbitCommand} and its subcommands {@code list}, {@code run}, {@code plan},
 * {@code report}, {@code export}, {@code eval}, {@code bench} and {@code datasets}, with the options they
 * share (the plugins folder, the suite) and the worker processes {@code run --workers} starts. Exit codes:
 * 0 ok, 1 a run failed (the others went on), 2 bad input. README, "The CLI", documents every command and
 * option.
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.cli;
