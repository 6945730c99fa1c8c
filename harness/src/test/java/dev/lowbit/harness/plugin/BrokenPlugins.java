package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Quantizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Real jars that fail in each way a plugin can, built at test time. Each is written into the given
 * plugins folder and its absolute path returned.
 */
public final class BrokenPlugins {

    private BrokenPlugins() {}

    /** A file named .jar that is text. */
    public static Path notAJar(Path folder) throws IOException {
        Files.createDirectories(folder);
        return Files.writeString(folder.resolve("not-a-jar.jar"), "This is a text file, not a jar.\n")
                .toAbsolutePath();
    }

    /** A services file naming a class the jar does not hold. */
    public static Path missingProvider(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .service(Quantizer.class, "org.example.missing.GoneQuantizer")
                .build(folder.resolve("missing-provider.jar"));
    }

    /** A provider whose constructor throws. */
    public static Path throwingConstructor(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.throwing.ThrowingQuantizer", """
                        package org.example.throwing;

                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        public final class ThrowingQuantizer extends AlphabetQuantizer {
                            public ThrowingQuantizer() {
                                super("throwing", "throws when created", Alphabet.of(-1, 1));
                                throw new IllegalStateException("no licence key in ~/.throwing");
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.throwing.ThrowingQuantizer")
                .build(folder.resolve("throwing.jar"));
    }

    /**
     * A provider compiled against an older Quantizer interface (a stub, not in the jar) that had only
     * id, description and a float[] quantize: against today's api it lacks five methods.
     */
    public static Path olderApi(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .stub("dev.lowbit.api.spi.Quantizer", """
                        package dev.lowbit.api.spi;

                        public interface Quantizer {
                            String id();
                            String description();
                            float[] quantize(float[] weights);
                        }
                        """)
                .source("org.example.old.OldQuantizer", """
                        package org.example.old;

                        import dev.lowbit.api.spi.Quantizer;

                        public final class OldQuantizer implements Quantizer {
                            public String id() {
                                return "old";
                            }

                            public String description() {
                                return "written for an older lowbit api";
                            }

                            public float[] quantize(float[] weights) {
                                return weights.clone();
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.old.OldQuantizer")
                .build(folder.resolve("old-api.jar"));
    }

    /** A provider compiled against an api whose Alphabet has a method today's lacks (a stub, not in the jar). */
    public static Path newerApi(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .stub("dev.lowbit.api.spi.Alphabet", """
                        package dev.lowbit.api.spi;

                        public final class Alphabet {
                            public static Alphabet powersOfTwo(int largestExponent) {
                                return null;
                            }
                        }
                        """)
                .source("org.example.newer.NewerQuantizer", """
                        package org.example.newer;

                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        public final class NewerQuantizer extends AlphabetQuantizer {
                            public NewerQuantizer() {
                                super("newer", "written for a newer lowbit api", Alphabet.powersOfTwo(2));
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.newer.NewerQuantizer")
                .build(folder.resolve("newer-api.jar"));
    }

    /** A provider that uses Guava without bundling it: lowbit has Guava, but does not share it with plugins. */
    public static Path missingLibrary(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.guava.GuavaQuantizer", """
                        package org.example.guava;

                        import com.google.common.base.Preconditions;
                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        public final class GuavaQuantizer extends AlphabetQuantizer {
                            public GuavaQuantizer() {
                                super("guava", "needs Guava", Alphabet.of(-1, 1));
                                Preconditions.checkState(true, "never fails");
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.guava.GuavaQuantizer")
                .build(folder.resolve("missing-library.jar"));
    }

    /** A jar with a class but no services file: it provides nothing. */
    public static Path providesNothing(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.nothing.Forgotten", """
                        package org.example.nothing;

                        public final class Forgotten {}
                        """)
                .build(folder.resolve("nothing.jar"));
    }

    /** A valid quantizer whose id, ternary, is a built-in's. */
    public static Path duplicateOfTernary(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.again.TernaryAgain", """
                        package org.example.again;

                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        public final class TernaryAgain extends AlphabetQuantizer {
                            public TernaryAgain() {
                                super("ternary", "ternary, again", Alphabet.of(-1, 0, 1));
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.again.TernaryAgain")
                .build(folder.resolve("ternary-again.jar"));
    }
}
