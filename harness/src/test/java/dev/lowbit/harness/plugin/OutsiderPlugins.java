package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.ScaleRule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Plugins an outside developer writes from README's guide, built as real jars at test time: a subclass
 * of AlphabetQuantizer that overrides how it snaps, a quantizer implementing Quantizer directly with its
 * own scale rule, a scale rule of its own, and faulty ones (a missing api method called only in training,
 * a withScaleRule that hands back another class).
 */
public final class OutsiderPlugins {

    /** The dead-zone ternary quantizer's id: {-1, 0, 1}, but |W/s| below a threshold (not 0.5) is 0. */
    public static final String DEAD_ZONE = "deadzone";
    /** The quantizer with its own scale rule: signs at half the largest |W|. */
    public static final String SIGNS = "signs";
    /** The plugin scale rule: s = 1.5 rms(W). */
    public static final String RULE = "myrule";
    /** The quantizer that calls an api method lowbit does not have, only when it computes a scale. */
    public static final String FUTURE = "future";
    /** The quantizer whose withScaleRule returns a plain AlphabetQuantizer. */
    public static final String SUBSTITUTE = "substitute";

    private OutsiderPlugins() {}

    /**
     * Ternary with a dead zone: a weight is 0 when |W/s| &lt; {@code threshold}. It overrides {@code codes}
     * and {@code quantize} (which must agree, as the contract says); {@code threshold} 0.5 would be the
     * parent's ternary.
     */
    public static Path deadZone(Path folder, double threshold) throws IOException {
        String t = String.format(Locale.ROOT, "%.3ff", threshold);
        return PluginJarBuilder.plugin()
                .source("org.example.deadzone.DeadZoneQuantizer", """
                        package org.example.deadzone;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        /** {-1, 0, 1}: |W/s| below THRESHOLD is 0, else its sign. */
                        public final class DeadZoneQuantizer extends AlphabetQuantizer {
                            public DeadZoneQuantizer() {
                                super("deadzone", "ternary with a dead zone of THRESHOLD", Alphabet.of(-1, 0, 1));
                            }

                            @Override
                            public NDArray codes(NDArray weights, NDArray scale) {
                                NDArray x = weights.div(scale);
                                NDArray outside = x.abs().gte(THRESHOLD).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                                // 0 -> code 1 (value 0); outside: sign + 1 -> code 0 or 2
                                return x.sign().mul(outside).add(1f);
                            }

                            @Override
                            public NDArray quantize(NDArray weights, NDArray scale) {
                                return decode(codes(weights, scale), scale);
                            }
                        }
                        """.replace("THRESHOLD", t))
                .service(Quantizer.class, "org.example.deadzone.DeadZoneQuantizer")
                .build(folder.resolve("deadzone.jar"));
    }

    /** {@code signs}: implements Quantizer directly; binary {-1, 1} at its own scale rule {@code halfmax} (s = max|W| / 2). */
    public static Path ownRule(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.signs.SignsQuantizer", """
                        package org.example.signs;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.spi.Alphabet;
                        import dev.lowbit.api.spi.Quantizer;
                        import java.util.Optional;

                        /** Binary {-1, 1} at s = max|W| / 2, its own rule. */
                        public final class SignsQuantizer implements Quantizer {
                            public String id() { return "signs"; }
                            public String description() { return "binary at half the largest weight"; }
                            public Optional<Alphabet> alphabet() { return Optional.of(Alphabet.of(-1, 1)); }
                            public String scaleRule() { return "halfmax/tensor"; }

                            public NDArray scale(NDArray weights) {
                                return weights.abs().max().div(2f).maximum(1e-8f);
                            }

                            public NDArray codes(NDArray weights, NDArray scale) {
                                return weights.gte(0f).toType(ai.djl.ndarray.types.DataType.FLOAT32, false);
                            }

                            public NDArray values(NDArray codes) {
                                return codes.mul(2f).sub(1f);
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.signs.SignsQuantizer")
                .build(folder.resolve("signs.jar"));
    }

    /** {@code myrule}: s = 1.5 rms(W), per tensor or per output channel, for any alphabet. */
    public static Path scaleRule(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.rule.RmsRule", """
                        package org.example.rule;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.spi.Alphabet;
                        import dev.lowbit.api.spi.Granularity;
                        import dev.lowbit.api.spi.ScaleRule;

                        /** s = 1.5 rms(W): one reduction over each tensor's or channel's row. */
                        public final class RmsRule implements ScaleRule {
                            public String id() { return "myrule"; }
                            public String description() { return "s = 1.5 rms(W)"; }

                            public NDArray scale(NDArray weights, Alphabet alphabet, Granularity granularity) {
                                NDArray rms = granularity.rows(weights).square().mean(new int[] {1}, true).sqrt();
                                return rms.mul(1.5f).maximum(1e-8f).reshape(granularity.scaleShape(weights.getShape()));
                            }
                        }
                        """)
                .service(ScaleRule.class, "org.example.rule.RmsRule")
                .build(folder.resolve("myrule.jar"));
    }

    /**
     * {@code future}: compiled against a newer api whose Alphabet has {@code spread()} (a stub, not in the
     * jar); it loads, lists and passes {@code list --strict}, and fails with a NoSuchMethodError the first
     * time it computes a scale, in training.
     */
    public static Path callsAMissingApiMethod(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .stub("dev.lowbit.api.spi.Alphabet", """
                        package dev.lowbit.api.spi;

                        public record Alphabet(double[] values) {
                            public static Alphabet of(double... values) { return null; }
                            public double spread() { return 0; }
                        }
                        """)
                .source("org.example.future.FutureQuantizer", """
                        package org.example.future;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;

                        public final class FutureQuantizer extends AlphabetQuantizer {
                            public FutureQuantizer() {
                                super("future", "needs Alphabet.spread() of a newer lowbit", Alphabet.of(-1, 0, 1));
                            }

                            @Override
                            public NDArray scale(NDArray weights) {
                                double spread = alphabet().orElseThrow().spread();
                                return super.scale(weights).mul((float) spread + 1);
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.future.FutureQuantizer")
                .build(folder.resolve("future.jar"));
    }

    /**
     * {@code ctx}: finds a service of its own and reads a resource of its own through the thread's context
     * class loader while it computes a scale (as a library it bundled would), and fails if it cannot.
     */
    public static Path usesTheContextClassLoader(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.ctx.Factor", """
                        package org.example.ctx;

                        public interface Factor {
                            float value();
                        }
                        """)
                .source("org.example.ctx.One", """
                        package org.example.ctx;

                        public final class One implements Factor {
                            public float value() { return 1f; }
                        }
                        """)
                .source("org.example.ctx.ContextQuantizer", """
                        package org.example.ctx;

                        import ai.djl.ndarray.NDArray;
                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;
                        import java.util.ServiceLoader;

                        public final class ContextQuantizer extends AlphabetQuantizer {
                            public ContextQuantizer() {
                                super("ctx", "looks itself up through the context class loader", Alphabet.of(-1, 0, 1));
                            }

                            @Override
                            public NDArray scale(NDArray weights) {
                                ClassLoader context = Thread.currentThread().getContextClassLoader();
                                if (context.getResource("org/example/ctx/factor.txt") == null) {
                                    throw new IllegalStateException("my resource is not on the context class loader");
                                }
                                Factor factor = ServiceLoader.load(Factor.class).findFirst().orElseThrow(
                                        () -> new IllegalStateException("my service is not on the context class loader"));
                                return super.scale(weights).mul(factor.value());
                            }
                        }
                        """)
                .resource("org/example/ctx/factor.txt", "1\n")
                .resource("META-INF/services/org.example.ctx.Factor", "org.example.ctx.One\n")
                .service(Quantizer.class, "org.example.ctx.ContextQuantizer")
                .build(folder.resolve("ctx.jar"));
    }

    /** {@code substitute}: its withScaleRule returns a plain AlphabetQuantizer, dropping its class. */
    public static Path substitutingWithScaleRule(Path folder) throws IOException {
        return PluginJarBuilder.plugin()
                .source("org.example.substitute.SubstituteQuantizer", """
                        package org.example.substitute;

                        import dev.lowbit.api.AlphabetQuantizer;
                        import dev.lowbit.api.spi.Alphabet;
                        import dev.lowbit.api.spi.Quantizer;
                        import dev.lowbit.api.spi.ScaleSetting;

                        public final class SubstituteQuantizer extends AlphabetQuantizer {
                            public SubstituteQuantizer() {
                                super("substitute", "hands back another class", Alphabet.of(-1, 0, 1));
                            }

                            @Override
                            public AlphabetQuantizer withScaleRule(ScaleSetting setting) {
                                return new AlphabetQuantizer("substitute", "plain", Alphabet.of(-1, 0, 1), setting);
                            }
                        }
                        """)
                .service(Quantizer.class, "org.example.substitute.SubstituteQuantizer")
                .build(folder.resolve("substitute.jar"));
    }
}
