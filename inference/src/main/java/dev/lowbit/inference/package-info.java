/**
 * The packed inference engine: {@link dev.lowbit.inference.PackedNetwork} runs a {@code .lbw} model of one of
 * lowbit's built-in families straight from its packed codes, in pure Java.
 */
package dev.lowbit.inference;
