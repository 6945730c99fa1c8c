package dev.lowbit.harness.plugin;

import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.GradientEstimator;
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
import java.util.Optional;
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
 *   k9@absmax/group:64            per group of 64 weights along each output channel
 *   ternary~clipped               any of them, trained with another gradient estimator
 * </pre>
 * A spec resolves once per command to the instance that trains, exports and evaluates: the provider's
 * own class, configured by its {@link Quantizer#withScaleRule(ScaleSetting)}, which must return its own
 * class with the requested spec (checked here, since a substitute would put another quantizer's numbers
 * under this id). {@link #resolve} gives the quantizer of the part before the tilde, {@link #resolveScheme}
 * the quantizer with its estimator.
 */
public final class QuantizerRegistry extends Registry<Quantizer> {

    private final Map<String, Discovered<QuantizerFactory>> factories = new TreeMap<>();
    private final ScaleRuleRegistry scaleRules;
    private final EstimatorRegistry estimators;
    private final Map<String, Quantizer> resolved = new ConcurrentHashMap<>();
    private final Map<String, WeightScheme> schemes = new ConcurrentHashMap<>();

    /** Quantizers whose specs may name no estimator but {@code ste}. */
    public QuantizerRegistry(
            Collection<Discovered<Quantizer>> found,
            Collection<Discovered<QuantizerFactory>> factories,
            ScaleRuleRegistry scaleRules) {
        this(found, factories, scaleRules, EstimatorRegistry.straightThroughOnly());
    }

    public QuantizerRegistry(
            Collection<Discovered<Quantizer>> found,
            Collection<Discovered<QuantizerFactory>> factories,
            ScaleRuleRegistry scaleRules,
            EstimatorRegistry estimators) {
        super("quantizer", found, Quantizer::id);
        this.scaleRules = scaleRules;
        this.estimators = estimators;
        for (Discovered<QuantizerFactory> entry : factories) {
            String name = entry.plugin().name();
            Discovered<QuantizerFactory> previous = this.factories.putIfAbsent(name, entry);
            if (previous != null) {
                throw new BadInputException("Quantizer factory name '" + name + "' is provided twice: "
                        + previous.source() + " and " + entry.source() + ". Remove one, or change the plugin's name.");
            }
        }
    }

    /** The quantizers, factories, scale rules and gradient estimators a loader finds. */
    public static QuantizerRegistry load(PluginLoader loader) {
        return new QuantizerRegistry(
                loader.load(Quantizer.class),
                loader.load(QuantizerFactory.class),
                new ScaleRuleRegistry(loader.load(ScaleRule.class)),
                new EstimatorRegistry(loader.load(GradientEstimator.class)));
    }

    /** The factories, sorted by name. */
    public List<Discovered<QuantizerFactory>> factories() {
        return List.copyOf(factories.values());
    }

    /** The scale rules, built-in and from plugins. */
    public ScaleRuleRegistry scaleRules() {
        return scaleRules;
    }

    /** The gradient estimators a spec may name after its tilde. */
    public EstimatorRegistry estimators() {
        return estimators;
    }

    /** The jars outside lowbit's own modules that these quantizers, factories, rules and estimators were loaded from, sorted. */
    @Override
    public SortedSet<Path> pluginJars() {
        SortedSet<Path> jars = super.pluginJars();
        jars.addAll(pluginJars(factories.values()));
        jars.addAll(scaleRules.pluginJars());
        jars.addAll(estimators.pluginJars());
        return jars;
    }

    /**
     * The quantizer a spec names, configured with its scale rule; the same instance for the same spec. The
     * estimator a spec names after a tilde is not looked at: {@link #resolveScheme} resolves it.
     *
     * @throws BadInputException for an unknown id, factory, rule or granularity, saying what exists
     * @throws PluginCodeException when the quantizer's code fails or breaks the withScaleRule contract
     */
    public Quantizer resolve(String spec) {
        return resolved.computeIfAbsent(EstimatorRegistry.withoutEstimator(spec), this::resolveOnce);
    }

    /**
     * The quantizer a weight spec names and the estimator it trains with: the one named after the tilde, or
     * the quantizer's own {@link Quantizer#estimator()}. The same instance for the same spec.
     *
     * @throws BadInputException for an unknown id, factory, rule, granularity or estimator, saying what exists
     * @throws PluginCodeException when the quantizer's code fails or breaks the withScaleRule contract
     */
    public WeightScheme resolveScheme(String spec) {
        return schemes.computeIfAbsent(spec, this::resolveSchemeOnce);
    }

    /**
     * The spec as stored in results: {@code ternary} becomes {@code ternary@mse/tensor}, so a default that
     * changes later never makes two different runs look the same; {@code ~estimator} stays only when it is
     * not the quantizer's own. When the quantizer's code fails, the spec as written (the rule with its
     * granularity spelled out): the run then fails with that code's message.
     *
     * @throws BadInputException for an unknown id, factory, rule, granularity or estimator
     */
    public String canonicalSpec(String spec) {
        try {
            return resolveScheme(spec).spec();
        } catch (PluginCodeException e) {
            String weights = EstimatorRegistry.withoutEstimator(spec);
            Optional<String> estimator = EstimatorRegistry.estimatorId(spec);
            estimator.ifPresent(estimators::get);
            int at = weights.indexOf('@');
            return (at < 0 ? weights : weights.substring(0, at + 1) + withGranularity(weights.substring(at + 1)))
                    + estimator.map(id -> "~" + id).orElse("");
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
        origin = rule != null && rule.pluginJar() != null ? origin + ", scale rule from " + rule.source() : origin;
        Discovered<GradientEstimator> estimator = estimatorOf(spec);
        return estimator != null && estimator.pluginJar() != null
                ? origin + ", estimator from " + estimator.source()
                : origin;
    }

    /** The plugin jars a spec's code comes from (its quantizer or factory, its rule and its estimator); empty for built-ins. */
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
        Discovered<GradientEstimator> estimator = estimatorOf(spec);
        if (estimator != null && estimator.pluginJar() != null) {
            jars.add(estimator.pluginJar());
        }
        return jars;
    }

    private WeightScheme resolveSchemeOnce(String spec) {
        Quantizer quantizer = resolve(spec);
        Optional<String> named = EstimatorRegistry.estimatorId(spec);
        String weights = plugin(spec, "spec()", quantizer::spec);
        if (quantizer.isFullPrecision()) {
            if (named.isPresent()) {
                throw new BadInputException(
                        "Invalid quantizer '" + spec + "': Quantizer '" + quantizer.id() + "' is full"
                                + " precision: it takes no gradient estimator. Write '"
                                + EstimatorRegistry.withoutEstimator(spec)
                                + "' alone.");
            }
            return new WeightScheme(weights, quantizer, GradientEstimator.STE);
        }
        GradientEstimator own = plugin(spec, "estimator()", quantizer::estimator);
        String ownId = own == null ? null : plugin(spec, "estimator().id()", own::id);
        if (ownId == null) {
            throw new PluginCodeException("Quantizer '" + spec + "' from " + origin(spec)
                    + " returned no estimator from" + " estimator(). Return GradientEstimator.STE for the identity.");
        }
        GradientEstimator estimator = named.map(estimators::get).orElse(own);
        boolean itsOwn = named.isEmpty() || named.get().equals(ownId);
        return new WeightScheme(itsOwn ? weights : weights + "~" + named.get(), quantizer, estimator);
    }

    private Quantizer resolveOnce(String spec) {
        String base = base(spec);
        int colon = base.indexOf(':');
        Quantizer quantizer =
                colon < 0 ? get(base) : fromFactory(spec, base.substring(0, colon), base.substring(colon + 1));
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
            throw new PluginCodeException(
                    "Quantizer '" + spec + "' from " + origin(spec) + " failed in withScaleRule('" + setting + "'): "
                            + QuantizerException.describe(e),
                    e);
        }
        String expected = quantizer.id() + "@" + setting;
        String got = configured == null ? null : plugin(spec, "spec()", configured::spec);
        if (configured == null || configured.getClass() != quantizer.getClass() || !expected.equals(got)) {
            throw new PluginCodeException("Quantizer '" + spec + "' from " + origin(spec) + " breaks the withScaleRule"
                    + " contract: asked for '" + setting + "', it returned "
                    + (configured == null
                            ? "null"
                            : "a " + configured.getClass().getName() + " with spec '" + got + "'")
                    + " instead of a "
                    + quantizer.getClass().getName() + " with spec '" + expected
                    + "'. lowbit trains only the plugin's own"
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
    private <T> T plugin(String spec, String call, Supplier<T> body) {
        try {
            return body.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException(
                    "Quantizer '" + spec + "' from " + origin(spec) + " failed in " + call + ": "
                            + QuantizerException.describe(e),
                    e);
        }
    }

    private Discovered<GradientEstimator> estimatorOf(String spec) {
        return EstimatorRegistry.estimatorId(spec).flatMap(estimators::find).orElse(null);
    }

    private Discovered<ScaleRule> ruleOf(String spec) {
        String weights = EstimatorRegistry.withoutEstimator(spec);
        int at = weights.indexOf('@');
        if (at < 0) {
            return null;
        }
        String rule = weights.substring(at + 1);
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
        String weights = EstimatorRegistry.withoutEstimator(spec);
        int at = weights.indexOf('@');
        return at < 0 ? weights : weights.substring(0, at);
    }

    /** {@code rule} or {@code rule/granularity}, with the granularity spelled out (per tensor by default). */
    private static String withGranularity(String rule) {
        return rule.contains("/") ? rule : rule + "/" + Granularity.TENSOR.id();
    }

    private Quantizer fromFactory(String spec, String name, String parameters) {
        Discovered<QuantizerFactory> factory = factories.get(name);
        if (factory == null) {
            throw new BadInputException("No quantizer factory '" + name + "' in '" + spec + "'. Available: "
                    + List.copyOf(factories.keySet())
                    + ", e.g. levels:-2,-1,1,2. Put its jar in plugins/ or run 'lowbit list'.");
        }
        try {
            return factory.plugin().create(parameters);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Invalid quantizer '" + spec + "': " + e.getMessage() + ".");
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException(
                    "Quantizer factory '" + name + "' from " + factory.source() + " failed to make '" + spec + "': "
                            + QuantizerException.describe(e),
                    e);
        }
    }
}
