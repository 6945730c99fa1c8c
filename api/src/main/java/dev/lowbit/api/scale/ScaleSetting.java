package dev.lowbit.api.scale;

import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;
import java.util.List;
import java.util.Objects;

/**
 * A scale rule at a granularity, written {@code rule/granularity} (e.g. {@code mse/tensor}) in
 * quantizer specs and results.
 *
 * @param rule how the scale is computed
 * @param granularity per tensor or per output channel
 */
public record ScaleSetting(ScaleRule rule, Granularity granularity) {

    /** The rules lowbit ships, in the order {@code lowbit list} shows them. */
    public static final List<ScaleRule> RULES =
            List.of(new AbsMeanScale(), new AbsMaxScale(), new GaussianScale(), new MseScale(), new LearnedScale());

    /**
     * The default for every alphabet: MSE-optimal per tensor. Chosen from measurements (README,
     * "Scale rules"): it matches absmean on ternary and keeps using the outer levels as k grows.
     */
    public static final ScaleSetting DEFAULT = new ScaleSetting(rule("mse"), Granularity.TENSOR);

    public ScaleSetting {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(granularity, "granularity");
    }

    /** Parses {@code rule} or {@code rule/granularity}; the granularity defaults to per tensor. */
    public static ScaleSetting parse(String text) {
        int slash = text.indexOf('/');
        String ruleId = slash < 0 ? text : text.substring(0, slash);
        Granularity granularity = slash < 0 ? Granularity.TENSOR : Granularity.byId(text.substring(slash + 1));
        return new ScaleSetting(rule(ruleId), granularity);
    }

    /** The built-in rule with this id, or an exception listing the ids that exist. */
    public static ScaleRule rule(String id) {
        return RULES.stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow(() ->
                new IllegalArgumentException("No scale rule '" + id + "'. Available: "
                        + RULES.stream().map(ScaleRule::id).toList() + "."));
    }

    @Override
    public String toString() {
        return rule.id() + "/" + granularity.id();
    }
}
