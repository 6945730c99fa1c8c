/**
 * The scale rules lowbit ships, each a {@link dev.lowbit.api.spi.ScaleRule} found at run time like a plugin's
 * (lowbit-quantizers lists them in {@code META-INF/services/dev.lowbit.api.spi.ScaleRule}): {@code absmean}, {@code absmax},
 * {@code gauss}, {@code mse} (the default), {@code learned} (LSQ) and the affine {@code minmax}; and
 * {@link dev.lowbit.api.scale.ScaleRules}, which parses {@code rule/granularity} to a
 * {@link dev.lowbit.api.spi.ScaleSetting} for code and tests that build a quantizer by hand.
 *
 * <p>Plugins may use this package: a test writes
 * {@code new Int3Quantizer().withScaleRule(ScaleRules.parse("learned/channel"))}. At run time a plugin never
 * needs it, since lowbit hands a quantizer its rule already resolved (README, "Scale rules").
 */
package dev.lowbit.api.scale;
