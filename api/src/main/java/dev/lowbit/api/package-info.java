/**
 * The base class a plugin builds on, beside the interfaces of {@link dev.lowbit.api.spi}:
 * {@link dev.lowbit.api.AlphabetQuantizer}, the quantizer defined by an alphabet and a scale rule that most
 * quantizers extend (nearest-value snapping, every scale rule and granularity, LSQ under {@code @learned},
 * packing and the memory tiers come with it). The engine helpers it computes with live in
 * {@code dev.lowbit.api.internal}, which is not API.
 *
 * <p>Plugins may use this package: lowbit shares it (with every {@code dev.lowbit.api} package) between
 * itself and each plugin's class loader, so a plugin compiles against {@code lowbit-api} in {@code provided}
 * scope and never bundles it. README, "Write your own quantizer", is the step-by-step guide; the contract
 * tests a plugin extends ({@code QuantizerContract} and its siblings) ship in the contract kit.
 */
package dev.lowbit.api;
