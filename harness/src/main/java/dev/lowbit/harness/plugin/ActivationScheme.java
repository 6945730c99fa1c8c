package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import java.util.Objects;

/**
 * A resolved activation spec, {@code ID[OPTIONS][~ESTIMATOR]}: what quantizes the input of every quantized
 * layer of a run. The spec {@code none} resolves to no scheme at all ({@link ActivationRegistry#resolve}
 * is empty).
 *
 * @param spec the canonical spec, as stored in results: the configured quantizer's {@code spec()}, plus
 *     {@code ~estimator} only when the estimator is not the quantizer's own ({@code sign~approx-sign})
 * @param quantizer the provider's own class configured by the spec's options
 * @param estimator the estimator the spec names, or the quantizer's own {@link ActivationQuantizer#estimator()}
 */
public record ActivationScheme(String spec, ActivationQuantizer quantizer, GradientEstimator estimator) {

    public ActivationScheme {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(quantizer, "quantizer");
        Objects.requireNonNull(estimator, "estimator");
    }
}
