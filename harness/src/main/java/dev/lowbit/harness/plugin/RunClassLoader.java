package dev.lowbit.harness.plugin;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import java.io.IOException;
import java.net.URL;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The thread's context class loader while a run trains: the class loaders of the plugins whose code the
 * run calls (its quantizer, the quantizer's scale rule, its architecture), then lowbit's own.
 *
 * <p>A plugin that looks up services or resources through the context class loader (ServiceLoader,
 * a library reading its resources) finds its own jars first, as with Trino's ThreadContextClassLoader;
 * DJL, which resolves some of its own lookups the same way, still finds lowbit's class path behind them.
 * One loader for the whole run, because the engine calls the quantizer and the architecture's blocks on
 * every batch, from inside DJL.
 */
public final class RunClassLoader extends ClassLoader {

    static {
        registerAsParallelCapable();
    }

    private final List<ClassLoader> plugins;

    private RunClassLoader(List<ClassLoader> plugins, ClassLoader lowbit) {
        super("lowbit-run", lowbit);
        this.plugins = List.copyOf(plugins);
    }

    /**
     * The context class loader for a run of this quantizer and architecture: {@code lowbit} itself when
     * neither comes from a plugins folder, else their plugins' loaders before it.
     */
    public static ClassLoader of(Quantizer quantizer, Architecture architecture, ClassLoader lowbit) {
        return of(quantizer, architecture, List.of(), lowbit);
    }

    /**
     * The context class loader for a run of this quantizer and architecture that also calls {@code moreCode}:
     * its estimators, activation quantizers and the quantizers of its layer map (e.g.
     * {@code RunSchemes.code()}). Each plugin's loader once, in the order first met.
     */
    public static ClassLoader of(
            Quantizer quantizer, Architecture architecture, Collection<?> moreCode, ClassLoader lowbit) {
        Set<ClassLoader> plugins = new LinkedHashSet<>();
        List<Object> code = new ArrayList<>(List.of(quantizer, architecture));
        code.addAll(moreCode);
        for (Object instance : List.copyOf(code)) {
            if (instance instanceof AlphabetQuantizer alphabetQuantizer) {
                code.add(alphabetQuantizer.scaleSetting().rule());
            }
        }
        for (Object instance : code) {
            if (instance.getClass().getClassLoader() instanceof PluginClassLoader plugin) {
                plugins.add(plugin);
            }
        }
        return plugins.isEmpty() ? lowbit : new RunClassLoader(new ArrayList<>(plugins), lowbit);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        for (ClassLoader plugin : plugins) {
            try {
                return plugin.loadClass(name);
            } catch (ClassNotFoundException e) {
                // not this plugin's: try the next, then lowbit
            }
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        for (ClassLoader plugin : plugins) {
            URL found = plugin.getResource(name);
            if (found != null) {
                return found;
            }
        }
        return super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        // Told apart by their text: URL's own equals may resolve host names.
        Map<String, URL> all = new LinkedHashMap<>();
        for (ClassLoader plugin : plugins) {
            Collections.list(plugin.getResources(name)).forEach(url -> all.putIfAbsent(url.toExternalForm(), url));
        }
        Collections.list(super.getResources(name)).forEach(url -> all.putIfAbsent(url.toExternalForm(), url));
        return Collections.enumeration(all.values());
    }
}
