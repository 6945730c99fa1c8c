/**
 * Quantized DJL blocks and what lowbit does with a model built from them: {@link dev.lowbit.api.nn.QuantizedLinear}
 * and {@link dev.lowbit.api.nn.QuantizedConv2d}, whose weights go through a quantizer in every forward pass
 * (the straight-through estimator, trained values, an input quantizer, as their
 * {@link dev.lowbit.api.nn.LayerScheme} says); {@link dev.lowbit.api.nn.QuantizedBlock}, the interface that
 * marks a block as quantized; {@link dev.lowbit.api.nn.QuantizerRandom}, the run's seeded random stream;
 * memory accounting and packing of a trained model; and {@link dev.lowbit.api.nn.QuantizerException}, how a
 * quantizer's failure is reported.
 *
 * <p>Plugins may use this package. An {@link dev.lowbit.api.spi.Architecture} builds every weight tensor it
 * wants quantized from {@code QuantizedLinear} and {@code QuantizedConv2d} (or its own {@code QuantizedBlock}),
 * which is how lowbit learns which tensors are quantized; a contract test may use {@code QuantizerRandom} for a
 * training context. The rest (packing, memory accounting, {@code StraightThrough}) is what lowbit's harness runs;
 * a plugin has no need to call it.
 */
package dev.lowbit.api.nn;
