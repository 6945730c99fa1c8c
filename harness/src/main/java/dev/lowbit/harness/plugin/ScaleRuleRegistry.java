package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.ScaleRule;
import java.util.Collection;

/** The scale rules any alphabet quantizer can take ({@code k9@myrule/channel}), built-in and from plugins. */
public final class ScaleRuleRegistry extends Registry<ScaleRule> {

    public ScaleRuleRegistry(Collection<Discovered<ScaleRule>> found) {
        super("scale rule", found, ScaleRule::id);
    }
}
