/**
 * lowbit's harness: the {@code lowbit} command line and everything behind it (plugin discovery, datasets,
 * training, the result store, suites and plans, export and evaluation of packed models, benchmarks). This
 * package holds only {@link dev.lowbit.harness.BadInputException}, input the user can fix: the CLI prints its
 * message as one line and exits with code 2. The work is in the subpackages; {@link dev.lowbit.harness.cli.Main}
 * is the entry point.
 *
 * <p>Not for plugins: the harness is the application that loads them. A plugin's class loader shares only
 * lowbit-api's packages, DJL's api and SLF4J with it, never the harness (README, "How plugins are loaded").
 */
package dev.lowbit.harness;
