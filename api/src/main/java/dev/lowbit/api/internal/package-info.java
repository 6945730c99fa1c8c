/**
 * Not API. Helpers lowbit's own modules (the built-in quantizers and architectures, the contract kit, the
 * harness) share with the api's classes: snapping to an alphabet's codes and back
 * ({@link dev.lowbit.api.internal.AlphabetCodes}; a plugin extends {@code dev.lowbit.api.AlphabetQuantizer}
 * instead), the straight-through path a quantized layer trains through
 * ({@link dev.lowbit.api.internal.StraightThrough}), the persisted-id rule. They are public only because
 * Java packages cannot be shared otherwise; plugins must not use them. They may change or disappear in any
 * release without notice.
 */
package dev.lowbit.api.internal;
