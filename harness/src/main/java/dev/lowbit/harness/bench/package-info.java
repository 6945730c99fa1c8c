/**
 * What {@code lowbit bench} measures: the real training step of an architecture under each quantizer against
 * its fp32 twin ({@link dev.lowbit.harness.bench.TrainingBenchmark}), the model's FLOPs, and the time
 * {@code lowbit report} takes over many stored runs ({@link dev.lowbit.harness.bench.ReportBenchmark}).
 * docs/PERFORMANCE.md reports the numbers.
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.bench;
