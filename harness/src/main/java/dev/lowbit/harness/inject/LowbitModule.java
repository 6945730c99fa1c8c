package dev.lowbit.harness.inject;

import com.google.inject.AbstractModule;
import dev.lowbit.harness.plugin.PluginHost;

/**
 * The composition root: the one place that decides which implementations the CLI gets. Nothing
 * outside this package touches Guice; plugins never see it.
 *
 * <p>Quantizers and architectures are not bound here: which exist depends on the plugins folder a
 * command is given ({@code --plugins}), so commands open them through the {@link PluginHost}.
 */
public final class LowbitModule extends AbstractModule {

    private final PluginHost plugins;

    /** @param plugins where built-ins come from and plugin folders are opened; the caller closes it */
    public LowbitModule(PluginHost plugins) {
        this.plugins = plugins;
    }

    @Override
    protected void configure() {
        bind(PluginHost.class).toInstance(plugins);
    }
}
