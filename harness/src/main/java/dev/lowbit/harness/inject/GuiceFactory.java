package dev.lowbit.harness.inject;

import com.google.inject.ConfigurationException;
import com.google.inject.Guice;
import com.google.inject.Injector;
import picocli.CommandLine;

/** Lets Picocli build commands through Guice, so commands declare what they need with @Inject. */
public final class GuiceFactory implements CommandLine.IFactory {

    private final Injector injector;

    public GuiceFactory(LowbitModule module) {
        this.injector = Guice.createInjector(module);
    }

    @Override
    public <K> K create(Class<K> type) throws Exception {
        try {
            return injector.getInstance(type);
        } catch (ConfigurationException e) {
            // Picocli's own helper types (converters, version providers) need no injection.
            return CommandLine.defaultFactory().create(type);
        }
    }
}
