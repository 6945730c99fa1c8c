package dev.lowbit.harness.plugin;

import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The activation quantizers lowbit can use, built-in and from plugins, and the resolution of activation
 * specs:
 * <pre>
 *   none                  no activation quantizer (the default)
 *   int8@absmax/token     ID, then OPTIONS (starting with @ or :) for the quantizer's configure
 *   pact:4                the same, with ':' options
 *   sign~approx-sign      any of them, then ~ESTIMATOR
 * </pre>
 * ID is the longest leading {@code [a-z][a-z0-9.-]*}. A spec resolves once per command to the provider's own
 * class configured by {@link ActivationQuantizer#configure}, which must return that class with a
 * {@code spec()} starting with its id (checked here, as {@link QuantizerRegistry} checks withScaleRule).
 */
public final class ActivationRegistry extends Registry<ActivationQuantizer> {

    /** The spec of no activation quantizer: the default, and what every fp32 twin runs with. */
    public static final String NONE = "none";

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9.-]*");
    private static final String FORM = " Write none or ID[@OPTIONS or :OPTIONS][~ESTIMATOR], e.g. int8@absmax/token,"
            + " pact:4 or sign~approx-sign.";

    private final EstimatorRegistry estimators;
    private final Map<String, ActivationScheme> resolved = new ConcurrentHashMap<>();

    public ActivationRegistry(Collection<Discovered<ActivationQuantizer>> found, EstimatorRegistry estimators) {
        super("activation quantizer", found, ActivationQuantizer::id);
        this.estimators = estimators;
    }

    /** The activation quantizers and estimators a loader finds. */
    public static ActivationRegistry load(PluginLoader loader, EstimatorRegistry estimators) {
        return new ActivationRegistry(loader.load(ActivationQuantizer.class), estimators);
    }

    /** The activation quantizer with this id, or a {@link BadInputException} listing the ids that exist. */
    @Override
    public ActivationQuantizer get(String id) {
        return find(id).map(Discovered::plugin)
                .orElseThrow(() -> new BadInputException("No activation quantizer '" + id + "'. Available: " + ids()
                        + ". Put its jar in plugins/ or run 'lowbit list'."));
    }

    /** The estimators a spec may name after its tilde. */
    public EstimatorRegistry estimators() {
        return estimators;
    }

    /**
     * The scheme a spec names, configured; empty for {@code none}. The same instance for the same spec.
     *
     * @throws BadInputException for a malformed spec, an unknown id or estimator, or options the quantizer refuses
     * @throws PluginCodeException when the quantizer's code fails or breaks the configure contract
     */
    public Optional<ActivationScheme> resolve(String spec) {
        if (NONE.equals(spec)) {
            return Optional.empty();
        }
        return Optional.of(resolved.computeIfAbsent(spec, this::resolveOnce));
    }

    /**
     * The spec as stored in results: {@code none}, or the configured quantizer's {@code spec()} plus
     * {@code ~estimator} when that is not its own ({@code int8} becomes {@code int8@absmax/token}). When the
     * quantizer's code fails, the spec as written: the run then fails with that code's message.
     *
     * @throws BadInputException for a malformed spec, an unknown id or estimator, or options the quantizer refuses
     */
    public String canonicalSpec(String spec) {
        try {
            return resolve(spec).map(ActivationScheme::spec).orElse(NONE);
        } catch (PluginCodeException e) {
            return spec;
        }
    }

    /** Where the code of a spec comes from, for messages; with the estimator's source when a plugin provides it. */
    public String origin(String spec) {
        Optional<Discovered<ActivationQuantizer>> provider = provider(spec);
        String origin = provider.map(Discovered::source).orElse("unknown source");
        Discovered<GradientEstimator> estimator = estimatorOf(spec);
        return estimator != null && estimator.pluginJar() != null
                ? origin + ", estimator from " + estimator.source()
                : origin;
    }

    /** The plugin jars a spec's code comes from (its quantizer and its estimator); empty for built-ins and none. */
    public SortedSet<Path> codeJars(String spec) {
        TreeSet<Path> jars = new TreeSet<>();
        provider(spec).map(Discovered::pluginJar).ifPresent(jars::add);
        Discovered<GradientEstimator> estimator = estimatorOf(spec);
        if (estimator != null && estimator.pluginJar() != null) {
            jars.add(estimator.pluginJar());
        }
        return jars;
    }

    private ActivationScheme resolveOnce(String spec) {
        String quantizerPart = EstimatorRegistry.withoutEstimator(spec);
        if (quantizerPart.equals(NONE)) {
            throw new BadInputException("Invalid activation quantizer '" + spec + "': none quantizes no activations, so"
                    + " it takes no estimator." + FORM);
        }
        Matcher id = ID.matcher(quantizerPart);
        String options = id.lookingAt() ? quantizerPart.substring(id.end()) : null;
        if (options == null || !(options.isEmpty() || options.startsWith("@") || options.startsWith(":"))) {
            throw new BadInputException("Invalid activation quantizer '" + spec + "'." + FORM);
        }
        ActivationQuantizer provider = get(id.group());
        ActivationQuantizer configured = configure(spec, provider, options);
        String configuredSpec = plugin(spec, "spec()", configured::spec);
        // configure must give back its own spec when handed it: the canonical form is what reruns resolve.
        String again =
                plugin(spec, "spec()", configure(spec, provider, optionsOf(configuredSpec, provider.id()))::spec);
        if (!configuredSpec.equals(again)) {
            throw new PluginCodeException("Activation quantizer '" + spec + "' from " + origin(spec) + " breaks the"
                    + " configure contract: its spec '" + configuredSpec + "' configures to '" + again + "'. The stored"
                    + " spec must name the same configuration. Fix configure or spec() (README, 'Write your own"
                    + " quantizer'); ActivationQuantizerContract checks it.");
        }
        GradientEstimator own = plugin(spec, "estimator()", configured::estimator);
        String ownId = own == null ? null : plugin(spec, "estimator().id()", own::id);
        if (ownId == null) {
            throw new PluginCodeException("Activation quantizer '" + spec + "' from " + origin(spec)
                    + " returned no estimator from estimator(). Return GradientEstimator.STE for the identity.");
        }
        Optional<String> named = EstimatorRegistry.estimatorId(spec);
        GradientEstimator estimator = named.map(estimators::get).orElse(own);
        String canonical =
                named.isEmpty() || named.get().equals(ownId) ? configuredSpec : configuredSpec + "~" + named.get();
        return new ActivationScheme(canonical, configured, estimator);
    }

    /** The provider configured with {@code options}, checked to be its own class with a spec of its own id. */
    private ActivationQuantizer configure(String spec, ActivationQuantizer provider, String options) {
        ActivationQuantizer configured;
        try {
            configured = provider.configure(options);
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Invalid activation quantizer '" + spec + "': " + e.getMessage() + FORM);
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException(
                    "Activation quantizer '" + spec + "' from " + origin(spec) + " failed in" + " configure('" + options
                            + "'): " + QuantizerException.describe(e),
                    e);
        }
        String got = configured == null ? null : plugin(spec, "spec()", configured::spec);
        if (configured == null || configured.getClass() != provider.getClass() || !hasId(got, provider.id())) {
            throw new PluginCodeException("Activation quantizer '" + spec + "' from " + origin(spec) + " breaks the"
                    + " configure contract: asked for '" + options + "', it returned "
                    + (configured == null
                            ? "null"
                            : "a " + configured.getClass().getName() + " with spec '" + got + "'")
                    + " instead of a "
                    + provider.getClass().getName() + " whose spec is '" + provider.id() + "' followed by its options."
                    + " lowbit trains only the plugin's own class, so that results under its id are its own. Fix"
                    + " configure (README, 'Write your own quantizer'); ActivationQuantizerContract checks it.");
        }
        return configured;
    }

    /** Whether a configured spec is the id, alone or followed by options, and holds no estimator. */
    private static boolean hasId(String spec, String id) {
        return spec != null && spec.indexOf('~') < 0 && optionsOf(spec, id) != null;
    }

    /** The options of a spec of quantizer {@code id}: what follows the id, or null when the spec is not its. */
    private static String optionsOf(String spec, String id) {
        if (!spec.startsWith(id)) {
            return null;
        }
        String options = spec.substring(id.length());
        return options.isEmpty() || options.startsWith("@") || options.startsWith(":") ? options : null;
    }

    /** Calls an activation quantizer's code, turning anything it throws into a {@link PluginCodeException}. */
    private <T> T plugin(String spec, String call, Supplier<T> body) {
        try {
            return body.get();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException(
                    "Activation quantizer '" + spec + "' from " + origin(spec) + " failed in " + call + ": "
                            + QuantizerException.describe(e),
                    e);
        }
    }

    private Optional<Discovered<ActivationQuantizer>> provider(String spec) {
        Matcher id = ID.matcher(EstimatorRegistry.withoutEstimator(spec));
        return id.lookingAt() ? find(id.group()) : Optional.empty();
    }

    private Discovered<GradientEstimator> estimatorOf(String spec) {
        return EstimatorRegistry.estimatorId(spec).flatMap(estimators::find).orElse(null);
    }
}
