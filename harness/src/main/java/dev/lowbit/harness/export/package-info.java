/**
 * Packed models on the harness's side: writing a trained model as a {@code .lbw} file and rebuilding one from
 * it ({@link dev.lowbit.harness.export.PackedModels}), for {@code lowbit export} and {@code lowbit eval}, and
 * how well each quantized tensor represents its trained weights. README, "Packed models and memory tiers".
 *
 * <p>Internal to lowbit; not for plugins.
 */
package dev.lowbit.harness.export;
