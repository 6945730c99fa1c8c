package dev.lowbit.harness.scheme;

import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.harness.BadInputException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Which weight spec each quantized layer of a run gets: the run's {@code layerPolicy} field. Either one of
 * the four presets ({@code all}, {@code fp32-first}, {@code fp32-last}, {@code fp32-first-last}), which the
 * architecture builds in as before, or rules {@code SELECTOR=SPEC} joined by {@code ;}:
 * <pre>
 *   first=fp32;last=fp32              the input layer and the classifier in fp32
 *   first=k17@absmax;-2=k9            a position among the quantized layers, from 0 (negative: from the end)
 *   *Conv2d=ternary~clipped           a glob (* and ?) over the layer names 'lowbit list --layers ARCH' prints
 * </pre>
 * The first rule that matches a layer wins; a layer no rule matches gets the run's own quantizer. SPEC is a
 * weight spec or {@code fp32}; every one is checked and put in canonical form when the map is parsed, so
 * the canonical text, which run ids hash, names each spec as results store it.
 */
public final class LayerMap {

    /** Characters of a layer map, as written: a few rules take a few dozen. */
    public static final int MAX_LENGTH = 1_000;
    /** Rules of a layer map: more than the quantized layers of any built-in architecture. */
    public static final int MAX_RULES = 64;

    private static final List<String> PRESETS =
            Arrays.stream(LayerPolicy.values()).map(LayerPolicy::id).toList();
    private static final Pattern POSITION = Pattern.compile("-?[0-9]{1,5}");
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*?-]+");
    private static final String FORM = " Write SELECTOR=SPEC rules joined by ';', e.g. first=fp32;last=k17;"
            + " SELECTOR is first, last, a position (0 is the first quantized layer, -1 the last) or a glob (* and ?)"
            + " over the names 'lowbit list --layers ARCH' prints.";

    /**
     * One rule of a map.
     *
     * @param selector {@code first}, {@code last}, a position such as {@code 2} or {@code -1}, or a glob
     * @param spec the canonical weight spec (or {@code fp32}) of the layers it selects
     */
    public record Rule(String selector, String spec) {

        /** {@code SELECTOR=SPEC}. */
        @Override
        public String toString() {
            return selector + "=" + spec;
        }

        /** Whether this rule selects the layer at {@code position} of {@code count}, named {@code name}. */
        boolean selects(int position, int count, String name) {
            return switch (selector) {
                case "first" -> position == 0;
                case "last" -> position == count - 1;
                default -> {
                    if (POSITION.matcher(selector).matches()) {
                        int wanted = Integer.parseInt(selector);
                        yield position == (wanted < 0 ? count + wanted : wanted);
                    }
                    yield globMatches(selector, name);
                }
            };
        }
    }

    private final LayerPolicy preset;
    private final List<Rule> rules;

    private LayerMap(LayerPolicy preset, List<Rule> rules) {
        this.preset = preset;
        this.rules = List.copyOf(rules);
    }

    /** The map of a preset: the architecture keeps the preset's layers in fp32 and no rule applies. */
    public static LayerMap of(LayerPolicy preset) {
        return new LayerMap(preset, List.of());
    }

    /**
     * Parses a run's layer policy: a preset id, or rules {@code SELECTOR=SPEC;...} (spaces around rules,
     * selectors and specs are dropped).
     *
     * @param canonicalSpec the canonical form of a weight spec ({@code fp32} stays {@code fp32}), throwing a
     *     {@link BadInputException} saying what exists for one that cannot be resolved, e.g.
     *     {@code QuantizerRegistry::canonicalSpec}
     * @throws BadInputException one line naming the rule that is wrong, what is wrong and the form
     */
    public static LayerMap parse(String text, UnaryOperator<String> canonicalSpec) {
        if (PRESETS.contains(text)) {
            return of(LayerPolicy.byId(text));
        }
        if (text.length() > MAX_LENGTH) {
            throw new BadInputException("Layer map '" + shown(text) + "' has " + text.length()
                    + " characters, more than" + " the " + MAX_LENGTH
                    + " a layer map may have. Select layers with fewer rules (a glob selects many).");
        }
        if (text.indexOf('=') < 0) {
            throw new BadInputException("No layer policy '" + shown(text) + "'. Available: " + PRESETS
                    + ", or a layer map" + " such as first=fp32;last=k17.");
        }
        String[] written = text.split(";", -1);
        if (written.length > MAX_RULES) {
            throw new BadInputException(
                    "Layer map '" + shown(text) + "' has " + written.length + " rules, more than the " + MAX_RULES
                            + " a layer map may have. Select layers with fewer rules (a glob selects many).");
        }
        List<Rule> rules = new ArrayList<>();
        Set<String> selectors = new HashSet<>();
        for (int i = 0; i < written.length; i++) {
            String rule = written[i].strip();
            String problem = "Invalid layer map '" + shown(text) + "': rule " + (i + 1);
            if (rule.isEmpty()) {
                throw new BadInputException(problem + " is empty." + FORM);
            }
            problem += " '" + rule + "'";
            int equals = rule.indexOf('=');
            if (equals < 0) {
                throw new BadInputException(problem + " has no '='." + FORM);
            }
            String selector = rule.substring(0, equals).strip();
            String spec = rule.substring(equals + 1).strip();
            if (!isSelector(selector)) {
                throw new BadInputException(problem + " selects '" + selector + "', which is not a selector." + FORM);
            }
            if (!selectors.add(selector)) {
                throw new BadInputException(problem + " repeats selector '" + selector + "': the first rule that"
                        + " matches a layer wins, so this one would never apply. Keep one of them.");
            }
            if (spec.isEmpty()) {
                throw new BadInputException(
                        problem + " has no spec. Give a quantizer spec such as k17@absmax, or fp32.");
            }
            try {
                rules.add(new Rule(selector, canonicalSpec.apply(spec)));
            } catch (BadInputException e) {
                throw new BadInputException(problem + ": " + e.getMessage(), e);
            }
        }
        return new LayerMap(null, rules);
    }

    /** Whether this is one of the four presets, built into the architecture, rather than rules. */
    public boolean isPreset() {
        return preset != null;
    }

    /**
     * The policy the architecture is built with: the preset itself, or {@link LayerPolicy#ALL} for rules (every
     * layer built quantized, then each configured with its rule's spec).
     */
    public LayerPolicy policy() {
        return preset != null ? preset : LayerPolicy.ALL;
    }

    /** The rules in the order written; none for a preset. */
    public List<Rule> rules() {
        return rules;
    }

    /**
     * The canonical spec of the first rule that selects a layer; empty when none does, and always for a
     * preset (whose layers the architecture has built): the layer then takes the run's own quantizer.
     *
     * @param position the layer's index among the model's quantized layers, from 0, in {@link QuantizedLayers} order
     * @param count how many quantized layers the model has
     * @param layerName the layer's name: its weight's parameter path without {@code _weight}
     */
    public Optional<String> specFor(int position, int count, String layerName) {
        return rules.stream()
                .filter(rule -> rule.selects(position, count, layerName))
                .findFirst()
                .map(Rule::spec);
    }

    /**
     * The rules that select no layer of a model with these layer names (in {@link QuantizedLayers} order):
     * a position past the end, a glob that matches nothing. Such a rule is most likely a mistake.
     */
    public List<Rule> unmatched(List<String> layerNames) {
        return rules.stream()
                .filter(rule -> {
                    for (int i = 0; i < layerNames.size(); i++) {
                        if (rule.selects(i, layerNames.size(), layerNames.get(i))) {
                            return false;
                        }
                    }
                    return true;
                })
                .toList();
    }

    /** The text stored in {@code RunConfig.layerPolicy}: the preset's id, or the rules with canonical specs, joined by {@code ;}. */
    public String canonical() {
        return preset != null ? preset.id() : rules.stream().map(Rule::toString).collect(Collectors.joining(";"));
    }

    @Override
    public String toString() {
        return canonical();
    }

    private static boolean isSelector(String selector) {
        if (selector.matches("-?[0-9]+")) {
            return POSITION.matcher(selector).matches();
        }
        return GLOB.matcher(selector).matches();
    }

    /** Whether a glob ({@code *} any run of characters, {@code ?} one) matches the whole name. */
    static boolean globMatches(String glob, String name) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < glob.length(); i++) {
            char c = glob.charAt(i);
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return name.matches(regex.toString());
    }

    private static String shown(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
