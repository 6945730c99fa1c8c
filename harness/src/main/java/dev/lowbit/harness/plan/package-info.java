/**
 * Suites and plans: a suite (built-in by name, or a YAML file, validated with every problem reported at once)
 * becomes the ordered runs of a {@link dev.lowbit.harness.plan.Plan}, fp32 twins first; a shard takes its share
 * of them; {@link dev.lowbit.harness.plan.GridRunner} trains them, skipping finished runs, resuming interrupted
 * ones and storing failures as such; time estimates and cluster scripts (Slurm, Kubernetes) for running a plan
 * on many machines. README, "Suites, plans and scale-out".
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.plan;
