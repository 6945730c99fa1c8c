/**
 * Not API. Engine constants shared process-wide ({@link dev.lowbit.api.internal.engine.EngineScalars}),
 * below the SPI: the SPI's own default methods use them, so this package depends on nothing of lowbit.
 * Public only because Java packages cannot be shared otherwise; plugins must not use it. It may change or
 * disappear in any release without notice.
 */
package dev.lowbit.api.internal.engine;
