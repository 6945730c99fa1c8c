package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.QuantizerFactory;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Builds a real plugin jar that is not part of lowbit, as an outsider would: one quantizer factory
 * ({@value #FACTORY}) compiled against the api and registered in {@code META-INF/services}.
 */
public final class OutsidePluginJar {

    /** The name of the jar's quantizer factory. */
    public static final String FACTORY = "outside";

    private static final String SOURCE = """
            package org.example.outside;

            import dev.lowbit.api.spi.Quantizer;
            import dev.lowbit.api.spi.QuantizerFactory;

            public final class OutsideFactory implements QuantizerFactory {
                @Override
                public String name() {
                    return "outside";
                }

                @Override
                public String description() {
                    return "a test plugin from outside lowbit";
                }

                @Override
                public Quantizer create(String parameters) {
                    throw new IllegalArgumentException("the test plugin makes no quantizers");
                }
            }
            """;

    private OutsidePluginJar() {}

    /** Compiles the plugin in {@code dir} and returns the path of its jar, {@code dir/outside-plugin.jar}. */
    public static Path build(Path dir) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.outside.OutsideFactory", SOURCE)
                .service(QuantizerFactory.class, "org.example.outside.OutsideFactory")
                .build(dir.resolve("outside-plugin.jar"));
    }
}
