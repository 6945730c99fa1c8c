package dev.lowbit.api.spi;

import java.util.Objects;

/**
 * A scale rule at a granularity, written {@code rule/granularity} (e.g. {@code mse/tensor}) in
 * quantizer specs and results. lowbit builds it from the rule a spec names ({@code k9@myrule/channel})
 * and hands it to {@link Quantizer#withScaleRule(ScaleSetting)}.
 *
 * @param rule how the scale is computed
 * @param granularity per tensor or per output channel
 */
public record ScaleSetting(ScaleRule rule, Granularity granularity) {

    public ScaleSetting {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(granularity, "granularity");
    }

    /** The scale of {@code weights} under this rule and granularity, for {@code alphabet}. */
    public ai.djl.ndarray.NDArray scale(ai.djl.ndarray.NDArray weights, Alphabet alphabet) {
        return rule.scale(weights, alphabet, granularity);
    }

    /** {@code rule/granularity}, e.g. {@code mse/tensor}: the part of a spec after the {@code @}. */
    @Override
    public String toString() {
        return rule.id() + "/" + granularity.id();
    }
}
