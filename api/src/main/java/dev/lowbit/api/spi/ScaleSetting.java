package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import java.util.Objects;
import java.util.function.Function;

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

    /**
     * Parses {@code rule} or {@code rule/granularity}; the granularity defaults to per tensor.
     *
     * @param ruleById the rule with an id, or an exception saying which exist
     * @throws IllegalArgumentException for an unknown granularity, listing those that exist
     */
    public static ScaleSetting parse(String text, Function<String, ScaleRule> ruleById) {
        int slash = text.indexOf('/');
        String ruleId = slash < 0 ? text : text.substring(0, slash);
        Granularity granularity = slash < 0 ? Granularity.TENSOR : Granularity.byId(text.substring(slash + 1));
        return new ScaleSetting(ruleById.apply(ruleId), granularity);
    }

    /** The scale of {@code weights} under this rule and granularity, for {@code alphabet}. */
    public NDArray scale(NDArray weights, Alphabet alphabet) {
        return rule.scale(weights, alphabet, granularity);
    }

    /** {@code rule/granularity}, e.g. {@code mse/tensor}: the part of a spec after the {@code @}. */
    @Override
    public String toString() {
        return rule.id() + "/" + granularity.id();
    }
}
