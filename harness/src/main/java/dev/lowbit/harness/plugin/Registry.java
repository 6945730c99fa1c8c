package dev.lowbit.harness.plugin;

import dev.lowbit.harness.BadInputException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Plugins of one kind by their stable id. Ids are unique: a duplicate is an error naming both
 * sources, since a persisted id must mean one thing.
 */
public class Registry<T> {

    private final String kind;
    private final Map<String, Discovered<T>> byId = new TreeMap<>();

    /**
     * @param kind what the plugins are, for messages: {@code quantizer}, {@code architecture}
     * @param found the discovered plugins
     * @param idOf reads a plugin's id
     */
    protected Registry(String kind, Collection<Discovered<T>> found, Function<T, String> idOf) {
        this.kind = kind;
        for (Discovered<T> entry : found) {
            String id = idOf.apply(entry.plugin());
            Discovered<T> previous = byId.putIfAbsent(id, entry);
            if (previous != null) {
                // PluginLoader already keeps one provider per id; this guards registries built by hand.
                throw new BadInputException(Character.toUpperCase(kind.charAt(0)) + kind.substring(1) + " id '" + id
                        + "' is provided twice: " + previous.source() + " and " + entry.source()
                        + ". Remove one, or change the plugin's id.");
            }
        }
    }

    /** The plugin with this id, or a {@link BadInputException} listing the ids that exist. */
    public T get(String id) {
        Discovered<T> entry = byId.get(id);
        if (entry == null) {
            throw new BadInputException("No " + kind + " with id '" + id + "'. Available: " + ids()
                    + ". Put its jar in plugins/ or run 'lowbit list'.");
        }
        return entry.plugin();
    }

    /** The plugin with this id and where it came from, if there is one. */
    public Optional<Discovered<T>> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The ids, sorted. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** Every plugin with its source, sorted by id. */
    public List<Discovered<T>> all() {
        return List.copyOf(byId.values());
    }

    /** The jars (or class folders) outside lowbit's own modules that these plugins were loaded from, sorted. */
    public SortedSet<Path> pluginJars() {
        return pluginJars(byId.values());
    }

    static SortedSet<Path> pluginJars(Collection<? extends Discovered<?>> found) {
        SortedSet<Path> jars = new TreeSet<>();
        for (Discovered<?> entry : found) {
            if (entry.pluginJar() != null) {
                jars.add(entry.pluginJar());
            }
        }
        return jars;
    }
}
