package dev.lowbit.harness.plugin;

import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The quantizers lowbit can use, built-in and from plugins, the factories that make parameterised
 * ones, and the scale rules any of them can take. Resolves quantizer specs:
 * <pre>
 *   ternary                       a registered quantizer with its default scale rule
 *   levels:-2,-1,1,2              a factory's quantizer (factory:parameters)
 *   k17@absmax  k9@myrule/channel either, with the scale rule (and granularity) replaced
 * </pre>
 * A spec resolves once per command to the instance that trains, exports and evaluates: the provider's
 * own class, configured by its {@link Quantizer#withScaleRule(ScaleSetting)}, which must return its own
 * class with the requested spec (checked here, since a substitute would put another quantizer's numbers
 * under this id).
 */
public final class QuantizerRegistry extends Registry<Quantizer> {

    private final Map<String, Discovered<QuantizerFactory>> factories = new TreeMap<>();
    private final ScaleRuleRegistry scaleRules;
    private final Map<String, Quantizer> resolved = new ConcurrentHashMap<>();

    public QuantizerRegistry(Collection<Discovered<Quantizer>> found, Collection<Discovered<QuantizerFactory>> factories,
            ScaleRuleRegistry scaleRules) {
        super("quantizer", found, Quantizer::id);
        this.scaleRules = scaleRules;
        for (Discovered<QuantizerFactory> entry : factories) {
            String name = entry.plugin().name();
            Discovered<QuantizerFactory> previous = this.factories.putIfAbsent(name, entry);
            if (previous != null) {
                throw new BadInputException("Quantizer factory name '" + name + "' is provided twice: " + previous.source()
                        + " and " + entry.source() + ". Remove one, or change the plugin's name.");
            }
        }
    }

    /** The quantizers, factories and scale rules a loader finds. */
    public static QuantizerRegistry load(PluginLoader loader) {
        return new QuantizerRegistry(loader.load(Quantizer.class), loader.load(QuantizerFactory.class),
                new ScaleRuleRegistry(loader.load(ScaleRule.class)));
    }

    /** The factories, sorted by name. */
    public List<Discovered<QuantizerFactory>> factories() {
        return List.copyOf(factories.values());
    }

    /** The scale rules, built-in and from plugins. */
    public ScaleRuleRegistry scaleRules() {
        return scaleRules;
    }

    /** The jars outside lowbit's own modules that these quantizers, factories and rules were loaded from, sorted. */
    @Override
    public SortedSet<Path> pluginJars() {
        SortedSet<Path> jars = super.pluginJars();
        jars.addAll(pluginJars(factories.values()));
        jars.addAll(scaleRules.pluginJars());
        return jars;
    }

    /**
     * The quantizer a spec names, configured with its scale rule; the same instance for the same spec.
     *
     * @throws BadInputException for an unknown id, factory, rule or granularity, saying what exists
     * @throws PluginCodeException when the quantizer's code fails or breaks the withScaleRule contract
     */
    public Quantizer resolve(String spec) {
        return resolved.computeIfAbsent(spec, this::resolveOnce);
    }

    /**
     * The spec as stored in results: {@code ternary} becomes {@code ternary@mse/tensor}, so a default that
     * changes later never makes two different runs look the same. When the quantizer's code fails, the spec
     * as written (the rule with its granularity spelled out): the run then fails with that code's message.
     *
     * @throws BadInputException for an unknown id, factory, rule or granularity
     */
    public String canonicalSpec(String spec) {
        try {
            return resolve(spec).spec();
        } catch (PluginCodeException e) {
            int at = spec.indexOf('@');
            return at < 0 ? spec : spec.substring(0, at + 1) + withGranularity(spec.substring(at + 1));
        }
    }

    /**
     * Where the code of a spec comes from, for messages: e.g. {@code /work/plugins/pow2.jar (version 1.0)},
     * {@code built-in (lowbit-quantizers)}; with the rule's source when a plugin provides the rule.
     */
    public String origin(String spec) {
        Discovered<?> provider = provider(spec);
        String origin = provider == null ? "unknown source" : provider.source();
        Discovered<ScaleRule> rule = ruleOf(spec);
        return rule != null && rule.pluginJar() != null ? origin + ", scale rule from " + rule.source() : origin;
    }

    /** The plugin jars a spec's code comes from (its quantizer or factory, and its rule); empty for built-ins. */
    public SortedSet<Path> codeJars(String spec) {
        SortedSet<Path> jars = new TreeSet<>();
        Discovered<?> provider = provider(spec);
        if (provider != null && provider.pluginJar() != null) {
            jars.add(provider.pluginJar());
        }
        Discovered<ScaleRule> rule = ruleOf(spec);
        if (rule != null && rule.pluginJar() != null) {
            jars.add(rule.pluginJar());
        }
        return jars;
    }

    private Quantizer resolveOnce(String spec) {
        String base = base(spec);
        int colon = base.indexOf(':');
        Quantizer quantizer = colon < 0 ? get(base) : fromFactory(spec, base.substring(0, colon), base.substring(colon + 1));
        int at = spec.indexOf('@');
        if (at < 0) {
            return quantizer;
        }
        String requested = withGranularity(spec.substring(at + 1));
        String own = plugin(spec, "scaleRule()", quantizer::scaleRule);
        if (requested.equals(withGranularity(own))) {
            // Its own rule, whatever it is: nothing to configure (and the rule need not be registered).
            return quantizer;
        }
        ScaleSetting setting = setting(spec, requested);
        Quantizer configured;
        try {
            configured = quantizer.withScaleRule(setting);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Invalid quantizer '" + spec + "': " + e.getMessage()
                    + " Write ID@RULE or ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException("Quantizer '" + spec + "' from " + origin(spec) + " failed in withScaleRule('"
                    + setting + "'): " + QuantizerException.describe(e), e);
        }
        String expected = quantizer.id() + "@" + setting;
        String got = configured == null ? null : plugin(spec, "spec()", configured::spec);
        if (configured == null || configured.getClass() != quantizer.getClass() || !expected.equals(got)) {
            throw new PluginCodeException("Quantizer '" + spec + "' from " + origin(spec) + " breaks the withScaleRule"
                    + " contract: asked for '" + setting + "', it returned " + (configured == null ? "null"
                    : "a " + configured.getClass().getName() + " with spec '" + got + "'") + " instead of a "
                    + quantizer.getClass().getName() + " with spec '" + expected + "'. lowbit trains only the plugin's own"
                    + " class, so that results under its id are its own. Fix withScaleRule (README, 'Write your own"
                    + " quantizer'); QuantizerContract checks it.");
        }
        return configured;
    }

    /** The rule a spec names, with its granularity, or a {@link BadInputException} saying what exists. */
    private ScaleSetting setting(String spec, String rule) {
        try {
            return ScaleSetting.parse(rule, scaleRules::get);
        } catch (BadInputException | IllegalArgumentException e) {
            throw new BadInputException("Invalid quantizer '" + spec + "': " + e.getMessage()
                    + " Write ID@RULE or ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        }
    }

    /** Calls a quantizer's code, turning anything it throws into a {@link PluginCodeException} naming it. */
    private String plugin(String spec, String call, Supplier<String> body) {
        try {
            return body.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException("Quantizer '" + spec + "' from " + origin(spec) + " failed in " + call + ": "
                    + QuantizerException.describe(e), e);
        }
    }

    private Discovered<ScaleRule> ruleOf(String spec) {
        int at = spec.indexOf('@');
        if (at < 0) {
            return null;
        }
        String rule = spec.substring(at + 1);
        int slash = rule.indexOf('/');
        return scaleRules.find(slash < 0 ? rule : rule.substring(0, slash)).orElse(null);
    }

    /** The registered quantizer or factory a spec starts from, or null when there is none. */
    private Discovered<?> provider(String spec) {
        String base = base(spec);
        int colon = base.indexOf(':');
        return colon < 0 ? find(base).orElse(null) : factories.get(base.substring(0, colon));
    }

    private static String base(String spec) {
        int at = spec.indexOf('@');
        return at < 0 ? spec : spec.substring(0, at);
    }

    /** {@code rule} or {@code rule/granularity}, with the granularity spelled out (per tensor by default). */
    private static String withGranularity(String rule) {
        return rule.contains("/") ? rule : rule + "/" + Granularity.TENSOR.id();
    }

    private Quantizer fromFactory(String spec, String name, String parameters) {
        Discovered<QuantizerFactory> factory = factories.get(name);
        if (factory == null) {
            throw new BadInputException("No quantizer factory '" + name + "' in '" + spec + "'. Available: "
                    + List.copyOf(factories.keySet()) + ", e.g. levels:-2,-1,1,2. Put its jar in plugins/ or run 'lowbit list'.");
        }
        try {
            return factory.plugin().create(parameters);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Invalid quantizer '" + spec + "': " + e.getMessage() + ".");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException("Quantizer factory '" + name + "' from " + factory.source() + " failed to make '"
                    + spec + "': " + QuantizerException.describe(e), e);
        }
    }
}
