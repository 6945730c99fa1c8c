/**
 * The records a run stores and the report reads back: what defines a run
 * ({@link dev.lowbit.format.result.RunConfig}, in its {@code config.json}) and how it ended
 * ({@link dev.lowbit.format.result.RunRecord}, its {@code run.json}: status, per-epoch metrics, memory
 * tiers, provenance). Independent of lowbit's plugin api, so stored results stay readable whatever
 * plugins trained them.
 */
package dev.lowbit.format.result;
