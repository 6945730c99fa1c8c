/**
 * A third-party plugin, built the way an outsider builds one: against lowbit-api in {@code provided} scope,
 * its providers listed in {@code META-INF/services}. It holds the power-of-two quantizer {@code pow2}
 * ({0, ±1, ±2, ±4}, 2.81 bits per weight), an {@link dev.lowbit.api.AlphabetQuantizer} that only names its
 * alphabet, and LeNet-5 ({@code lenet-5}), an {@link dev.lowbit.api.spi.Architecture} built from
 * {@link dev.lowbit.api.nn.QuantizedConv2d} and {@link dev.lowbit.api.nn.QuantizedLinear}; its tests extend the
 * contract kit. lowbit never references it: its own tests load this jar from a plugins folder.
 *
 * <p>Not a library: copy it as the starting point of a plugin (README, "Write your own quantizer").
 */
package dev.lowbit.example;
