/**
 * Quantized DJL blocks: {@link dev.lowbit.api.nn.QuantizedLinear} and {@link dev.lowbit.api.nn.QuantizedConv2d},
 * whose weights go through a quantizer in every forward pass (the straight-through estimator, trained values, an
 * input quantizer, as their {@link dev.lowbit.api.nn.LayerScheme} says); {@link dev.lowbit.api.nn.QuantizedBlock},
 * the interface that marks a block as quantized, and {@link dev.lowbit.api.nn.QuantizedWeight}, what such a block
 * holds; {@link dev.lowbit.api.nn.QuantizerRandom}, the run's seeded random stream;
 * {@link dev.lowbit.api.nn.QuantizerException}, how a quantizer's failure is reported; and the helpers lowbit
 * trains and walks such a model with.
 *
 * <p>Plugins may use this package. An {@link dev.lowbit.api.spi.Architecture} builds every weight tensor it
 * wants quantized from {@code QuantizedLinear} and {@code QuantizedConv2d} (or its own {@code QuantizedBlock}),
 * which is how lowbit learns which tensors are quantized; a contract test may use {@code QuantizerRandom} for a
 * training context. The rest ({@code StraightThrough} and the like) is what lowbit runs; a plugin has no need to
 * call it.
 */
package dev.lowbit.api.nn;
