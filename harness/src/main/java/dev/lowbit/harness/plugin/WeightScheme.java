package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.util.Objects;

/**
 * A resolved weight spec, {@code QUANTIZER[@RULE[/GRANULARITY]][~ESTIMATOR]}: what trains, exports and
 * evaluates a layer's weights.
 *
 * @param spec the canonical spec, as stored in results: {@code id@rule/granularity}, plus {@code ~estimator}
 *     only when the estimator is not the quantizer's own ({@code ternary@mse/tensor~clipped}); {@code fp32}
 *     at full precision
 * @param quantizer the configured quantizer of the part before the tilde (the instance
 *     {@link QuantizerRegistry#resolve} gives for it)
 * @param estimator the estimator the spec names, or the quantizer's own {@link Quantizer#estimator()}
 */
public record WeightScheme(String spec, Quantizer quantizer, GradientEstimator estimator) {

    public WeightScheme {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(quantizer, "quantizer");
        Objects.requireNonNull(estimator, "estimator");
    }

    /** Whether this is the fp32 twin's scheme: nothing quantized, no estimator in use. */
    public boolean isFullPrecision() {
        return quantizer.isFullPrecision();
    }
}
