/**
 * The result store: plain files per run under {@code ROOT/SUITE/RUN-ID/} (config, run record, epoch log,
 * checkpoints, lock, packed model, test predictions), written so that shards on a shared filesystem can share
 * one folder, and the stable run ids that name them. README, "Results on disk".
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.store;
