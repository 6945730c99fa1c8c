package dev.lowbit.harness.plugin;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * lowbit's side of plugin loading: the class loader the built-ins (and lowbit's api, DJL and SLF4J,
 * which plugins share) come from, and the plugins folders opened while one command runs, all closed
 * when it ends. The composition root decides the class loader; commands choose the folder.
 */
public final class PluginHost implements AutoCloseable {

    private final ClassLoader host;
    private final List<Plugins> opened = new ArrayList<>();

    public PluginHost(ClassLoader host) {
        this.host = host;
    }

    /**
     * The built-ins and the plugins of {@code folder}.
     *
     * @param required whether the user named the folder; then a missing folder is an error
     * @throws dev.lowbit.harness.BadInputException when a required folder is missing or is a file
     */
    public synchronized Plugins open(Path folder, boolean required) {
        Plugins plugins = new Plugins(new PluginLoader(host, PluginFolder.read(folder, required)));
        opened.add(plugins);
        return plugins;
    }

    @Override
    public synchronized void close() {
        opened.forEach(Plugins::close);
        opened.clear();
    }
}
