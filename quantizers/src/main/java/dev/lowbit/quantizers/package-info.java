/**
 * lowbit's built-in bit schemes: the quantizers of the study's alphabets ({@code binary}, {@code ternary},
 * {@code quaternary}, {@code quinary}, {@code k8}, {@code k9}, {@code k16}, {@code k17}), of published schemes
 * ({@code binaryconnect}, {@code xnor}, {@code twn}, {@code ttq}, {@code bitnet-b1.58}, ...) and {@code fp32}; the
 * factories of parameterised ones ({@code levels:}, {@code dorefa:}, {@code lsq:}); the gradient estimators
 * ({@code ste}, {@code clipped}, {@code approx-sign}, {@code swish-sign}, {@code dorefa-tanh}); and the activation
 * quantizers ({@code int8}, {@code int4}, {@code pact}, {@code dorefa}, {@code lsq}, {@code sign}).
 * Each is registered in {@code META-INF/services} and found with {@link java.util.ServiceLoader} exactly as a
 * plugin is; this module also registers the scale rules of {@link dev.lowbit.api.scale}.
 *
 * <p>Not for plugins: a plugin's class loader sees only lowbit-api (with DJL's api and SLF4J), so a plugin
 * cannot extend or call these classes. They are worked examples of the SPI to read; a plugin builds on
 * {@link dev.lowbit.api.AlphabetQuantizer} and the interfaces of {@link dev.lowbit.api.spi} instead. README,
 * "What is built in", lists them.
 */
package dev.lowbit.quantizers;
