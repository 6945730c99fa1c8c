package dev.lowbit.harness.inject;

import com.google.inject.AbstractModule;
import com.google.inject.Provides;
import com.google.inject.Singleton;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.harness.plugin.ArchitectureRegistry;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;

/**
 * The composition root: the one place that decides which implementations the CLI gets. Nothing
 * outside this package touches Guice; plugins never see it.
 */
public final class LowbitModule extends AbstractModule {

    private final ClassLoader pluginClassLoader;

    /** @param pluginClassLoader where quantizers and architectures are discovered */
    public LowbitModule(ClassLoader pluginClassLoader) {
        this.pluginClassLoader = pluginClassLoader;
    }

    @Provides
    @Singleton
    PluginLoader pluginLoader() {
        return new PluginLoader(pluginClassLoader);
    }

    @Provides
    @Singleton
    QuantizerRegistry quantizers(PluginLoader loader) {
        return new QuantizerRegistry(loader.load(Quantizer.class), loader.load(QuantizerFactory.class));
    }

    @Provides
    @Singleton
    ArchitectureRegistry architectures(PluginLoader loader) {
        return new ArchitectureRegistry(loader.load(Architecture.class));
    }
}
