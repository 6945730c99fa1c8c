/**
 * Not API. {@link dev.lowbit.api.internal.codes.AlphabetCodes}: snapping normalised weights to an
 * alphabet's codes and back, exactly, which {@code AlphabetQuantizer}, the scale rules and the built-in
 * quantizers share. Public only because Java packages cannot be shared otherwise; plugins must not use it
 * (extend {@code dev.lowbit.api.AlphabetQuantizer} instead). It may change or disappear in any release
 * without notice.
 */
package dev.lowbit.api.internal.codes;
