package dev.lowbit.api.scale;

import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import java.util.List;

/**
 * The scale rules lowbit ships. At run time lowbit finds them like plugin rules, through
 * {@code META-INF/services/dev.lowbit.api.spi.ScaleRule}; this class is for code and tests that build a
 * quantizer by hand, e.g. {@code new Int3Quantizer().withScaleRule(ScaleRules.parse("learned/channel"))}.
 * It knows only the built-in rules; a plugin's rule is resolved by lowbit, not here. Immutable constants and
 * static methods: thread-safe.
 */
public final class ScaleRules {

    /** The built-in rules, in the order {@code lowbit list} shows them. */
    public static final List<ScaleRule> BUILT_IN = List.of(
            new AbsMeanScale(),
            new AbsMaxScale(),
            new GaussianScale(),
            new MseScale(),
            new LearnedScale(),
            new MinMaxScale());

    /**
     * The default for every alphabet: MSE-optimal per tensor. Chosen from measurements (README,
     * "Scale rules"): it matches absmean on ternary and keeps using the outer levels as k grows.
     */
    public static final ScaleSetting DEFAULT = new ScaleSetting(rule("mse"), Granularity.TENSOR);

    private ScaleRules() {}

    /**
     * Parses {@code rule} or {@code rule/granularity} over the built-in rules; the granularity defaults to per tensor.
     *
     * @param text e.g. {@code mse}, {@code learned/channel} or {@code absmax/group:64}
     * @return the setting
     * @throws IllegalArgumentException for an unknown rule or granularity, listing those that exist
     */
    public static ScaleSetting parse(String text) {
        return ScaleSetting.parse(text, ScaleRules::rule);
    }

    /**
     * The built-in rule with this id.
     *
     * @param id a built-in rule's id, e.g. {@code absmax}
     * @return the rule
     * @throws IllegalArgumentException for any other id, listing the ids that exist
     */
    public static ScaleRule rule(String id) {
        return BUILT_IN.stream()
                .filter(r -> r.id().equals(id))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("No scale rule '" + id + "'. Available: "
                        + BUILT_IN.stream().map(ScaleRule::id).toList() + "."));
    }
}
