package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.io.IOException;
import java.nio.file.Path;

/**
 * Plugins of the bit-scheme SPIs, built as real jars at test time: gradient estimators, activation
 * quantizers, a weight quantizer with an estimator and activations of its own, and faulty ones (a configure
 * that throws, one that hands back another class, an id provided twice).
 */
public final class SchemePlugins {

    /** The jar of {@code hard-tanh} and {@code tent}. */
    public static final String ESTIMATORS_JAR = "estimators.jar";
    /** The jar of {@code int7}, {@code clamp} and {@code sgn}. */
    public static final String ACTIVATIONS_JAR = "activations.jar";

    private static final String ACTIVATION_BASE = """
            package org.example.acts;

            import ai.djl.ndarray.NDArray;
            import ai.djl.ndarray.NDList;
            import dev.lowbit.api.spi.ActivationQuantizer;
            import dev.lowbit.api.spi.QuantizationContext;

            /** The numbers are not under test here: the identity, to keep the sources short. */
            public abstract class Base implements ActivationQuantizer {
                public NDArray scale(NDArray input, NDList trained) { return input.abs().max(); }
                public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) { return input; }
                public NDArray normalized(NDArray input, NDArray scale) { return input.div(scale); }
            }
            """;

    private SchemePlugins() {}

    /** {@code hard-tanh} (1 where |u| &lt;= 1) and {@code tent} (max(0, 2 - 2|u|)), in one jar. */
    public static Path estimators(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.est.Clipped", clipped("org.example.est"))
                .source("org.example.est.Tent", """
                        package org.example.est;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.spi.GradientEstimator;

                        public final class Tent implements GradientEstimator {
                            public String id() { return "tent"; }
                            public String description() { return "max(0, 2 - 2|u|), a tent"; }
                            public NDArray derivative(NDArray u) { return u.abs().mul(-2f).add(2f).maximum(0f); }
                        }
                        """)
                .service(GradientEstimator.class, "org.example.est.Clipped", "org.example.est.Tent")
                .build(folder.resolve(ESTIMATORS_JAR));
    }

    /** Another jar that provides {@code hard-tanh}, named so that it loads after {@link #estimators}. */
    public static Path hardTanhAgain(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.again.Clipped", clipped("org.example.again"))
                .service(GradientEstimator.class, "org.example.again.Clipped")
                .build(folder.resolve("more-estimators.jar"));
    }

    /**
     * {@code int7} (options {@code @absmax/token}, the default, or {@code @absmax/tensor}), {@code clamp}
     * ({@code :K}, K from 1 to 8, default 4) and {@code sgn} (no options, its own {@code hard-tanh} estimator).
     */
    public static Path activations(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.acts.Base", ACTIVATION_BASE)
                .source("org.example.acts.Int7", """
                        package org.example.acts;

                        import dev.lowbit.api.spi.ActivationQuantizer;

                        public final class Int7 extends Base {
                            private final String granularity;
                            public Int7() { this("token"); }
                            private Int7(String granularity) { this.granularity = granularity; }
                            public String id() { return "int7"; }
                            public String description() { return "7-bit absmax, after BitNet's 8-bit one"; }
                            public String spec() { return "int7@absmax/" + granularity; }
                            public double bits() { return 7; }
                            public ActivationQuantizer configure(String options) {
                                return switch (options) {
                                    case "", "@absmax/token" -> new Int7("token");
                                    case "@absmax/tensor" -> new Int7("tensor");
                                    default -> throw new IllegalArgumentException("Activation quantizer 'int7' takes"
                                            + " @absmax/token or @absmax/tensor (got '" + options + "').");
                                };
                            }
                        }
                        """)
                .source("org.example.acts.Clamp", """
                        package org.example.acts;

                        import dev.lowbit.api.spi.ActivationQuantizer;

                        public final class Clamp extends Base {
                            private final int bits;
                            public Clamp() { this(4); }
                            private Clamp(int bits) { this.bits = bits; }
                            public String id() { return "clamp"; }
                            public String description() { return "K-bit [0, 1] clamp"; }
                            public String spec() { return "clamp:" + bits; }
                            public double bits() { return bits; }
                            public ActivationQuantizer configure(String options) {
                                if (options.isEmpty()) {
                                    return new Clamp(4);
                                }
                                if (options.matches(":[1-8]")) {
                                    return new Clamp(Integer.parseInt(options.substring(1)));
                                }
                                throw new IllegalArgumentException("Activation quantizer 'clamp' takes :K, K from 1 to 8"
                                        + " (got '" + options + "').");
                            }
                        }
                        """)
                .source("org.example.acts.Sgn", """
                        package org.example.acts;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.spi.GradientEstimator;

                        public final class Sgn extends Base {
                            public String id() { return "sgn"; }
                            public String description() { return "sign(x) (Hubara et al. 2016)"; }
                            public String spec() { return "sgn"; }
                            public double bits() { return 1; }
                            public GradientEstimator estimator() {
                                return new GradientEstimator() {
                                    public String id() { return "hard-tanh"; }
                                    public String description() { return "its own clipped STE"; }
                                    public NDArray derivative(NDArray u) {
                                        return u.abs().lte(1f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                                    }
                                };
                            }
                        }
                        """)
                .service(
                        ActivationQuantizer.class,
                        "org.example.acts.Int7",
                        "org.example.acts.Clamp",
                        "org.example.acts.Sgn")
                .build(folder.resolve(ACTIVATIONS_JAR));
    }

    /** {@code crashy}: its configure throws an IllegalStateException whatever the options. */
    public static Path throwingConfigure(Path folder) throws IOException {
        return activation(folder, "crashy", """
                package org.example.acts;

                import dev.lowbit.api.spi.ActivationQuantizer;

                public final class Crashy extends Base {
                    public String id() { return "crashy"; }
                    public String description() { return "throws in configure"; }
                    public String spec() { return "crashy"; }
                    public double bits() { return 4; }
                    public ActivationQuantizer configure(String options) {
                        throw new IllegalStateException("boom");
                    }
                }
                """);
    }

    /** {@code impostor}: its configure returns an instance of another class. */
    public static Path substitutingConfigure(Path folder) throws IOException {
        return activation(folder, "impostor", """
                package org.example.acts;

                import dev.lowbit.api.spi.ActivationQuantizer;

                public final class Impostor extends Base {
                    public String id() { return "impostor"; }
                    public String description() { return "hands back another class"; }
                    public String spec() { return "impostor"; }
                    public double bits() { return 4; }
                    public ActivationQuantizer configure(String options) {
                        return new Base() {
                            public String id() { return "impostor"; }
                            public String description() { return "someone else"; }
                            public String spec() { return "impostor"; }
                            public double bits() { return 2; }
                        };
                    }
                }
                """);
    }

    /** A second {@code int7}, in a jar that loads after {@link #activations}. */
    public static Path int7Again(Path folder) throws IOException {
        return activation(folder, "int7-again", """
                package org.example.acts;

                public final class Int7Again extends Base {
                    public String id() { return "int7"; }
                    public String description() { return "another int7"; }
                    public String spec() { return "int7"; }
                    public double bits() { return 7; }
                }
                """);
    }

    /**
     * {@code w3}: ternary, published with {@code int7} activations and trained with its own
     * {@code hard-tanh} estimator (a weight quantizer as BitNet b1.58 is one).
     */
    public static Path quantizerWithOwnSchemes(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.w3.Clipped", clipped("org.example.w3"))
                .source("org.example.w3.W3", """
                        package org.example.w3;

                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;
                        import dev.lowbit.api.spi.GradientEstimator;

                        public final class W3 extends AlphabetQuantizer {
                            public W3() {
                                super("w3", "ternary with int7 activations", Alphabet.of(-1, 0, 1));
                            }
                            public GradientEstimator estimator() { return new Clipped(); }
                            public String activations() { return "int7"; }
                        }
                        """)
                .service(Quantizer.class, "org.example.w3.W3")
                .build(folder.resolve("w3.jar"));
    }

    private static Path activation(Path folder, String name, String source) throws IOException {
        String className = "org.example.acts." + Character.toUpperCase(name.charAt(0))
                + name.substring(1).replace("-again", "Again");
        return PluginJarBuilder.plugin()
                .source("org.example.acts.Base", ACTIVATION_BASE)
                .source(className, source)
                .service(ActivationQuantizer.class, className)
                .build(folder.resolve(name + ".jar"));
    }

    private static String clipped(String packageName) {
        return """
                package PACKAGE;

                import ai.djl.ndarray.NDArray;
                import dev.lowbit.api.spi.GradientEstimator;

                public final class Clipped implements GradientEstimator {
                    public String id() { return "hard-tanh"; }
                    public String description() { return "1 where |u| <= 1 (Hubara et al. 2016)"; }
                    public NDArray derivative(NDArray u) {
                        return u.abs().lte(1f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                    }
                }
                """.replace("PACKAGE", packageName);
    }
}
