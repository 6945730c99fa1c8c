package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Quantizer;
import java.util.Collection;

/** The quantizers lowbit can use, built-in and from plugins. */
public final class QuantizerRegistry extends Registry<Quantizer> {

    public QuantizerRegistry(Collection<Discovered<Quantizer>> found) {
        super("quantizer", found, Quantizer::id);
    }
}
