package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Architecture;
import java.util.Collection;

/** The architectures lowbit can build, built-in and from plugins. */
public final class ArchitectureRegistry extends Registry<Architecture> {

    public ArchitectureRegistry(Collection<Discovered<Architecture>> found) {
        super("architecture", found, Architecture::id);
    }
}
