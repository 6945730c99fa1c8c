/**
 * Training one run on DJL: quantization-aware training with fp32 shadow weights, validation and stability
 * diagnostics after every epoch, a checkpoint after every epoch (parameters, optimizer state and the quantizers'
 * random generator, so a resumed run ends bit for bit where an uninterrupted one does), the test set once at the
 * end, the engine's thread and memory settings, and the provenance every run records.
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.train;
