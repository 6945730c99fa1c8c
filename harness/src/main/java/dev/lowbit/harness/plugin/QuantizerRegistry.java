package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * The quantizers lowbit can use, built-in and from plugins, and the factories that make
 * parameterised ones. Resolves quantizer specs:
 * <pre>
 *   ternary                       a registered quantizer with its default scale rule
 *   levels:-2,-1,1,2              a factory's quantizer (factory:parameters)
 *   k17@absmax  k9@mse/channel    either, with the scale rule (and granularity) replaced
 * </pre>
 */
public final class QuantizerRegistry extends Registry<Quantizer> {

    private final Map<String, Discovered<QuantizerFactory>> factories = new TreeMap<>();

    public QuantizerRegistry(Collection<Discovered<Quantizer>> found, Collection<Discovered<QuantizerFactory>> factories) {
        super("quantizer", found, Quantizer::id);
        for (Discovered<QuantizerFactory> entry : factories) {
            String name = entry.plugin().name();
            Discovered<QuantizerFactory> previous = this.factories.putIfAbsent(name, entry);
            if (previous != null) {
                throw new BadInputException("Quantizer factory name '" + name + "' is provided twice: " + previous.source()
                        + " and " + entry.source() + ". Remove one, or change the plugin's name.");
            }
        }
    }

    /** The factories, sorted by name. */
    public List<Discovered<QuantizerFactory>> factories() {
        return List.copyOf(factories.values());
    }

    /** The jars outside lowbit's own modules that these quantizers and factories were loaded from, sorted. */
    @Override
    public SortedSet<Path> pluginJars() {
        SortedSet<Path> jars = super.pluginJars();
        jars.addAll(pluginJars(factories.values()));
        return jars;
    }

    /** The quantizer a spec names, or a {@link BadInputException} saying what exists. */
    public Quantizer resolve(String spec) {
        int at = spec.indexOf('@');
        String base = at < 0 ? spec : spec.substring(0, at);
        int colon = base.indexOf(':');
        Quantizer quantizer = colon < 0 ? get(base) : fromFactory(spec, base.substring(0, colon), base.substring(colon + 1));
        if (at < 0) {
            return quantizer;
        }
        try {
            return quantizer.withScaleRule(spec.substring(at + 1));
        } catch (IllegalArgumentException e) {
            throw new BadInputException("Invalid quantizer '" + spec + "': " + e.getMessage()
                    + " Write ID@RULE or ID@RULE/GRANULARITY, e.g. ternary@absmean or k17@mse/channel.");
        }
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
        }
    }
}
