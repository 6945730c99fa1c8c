package dev.lowbit.harness.scheme;

import dev.lowbit.harness.plugin.ActivationRegistry;
import java.util.function.UnaryOperator;

/**
 * The canonical forms of what a suite writes, as results store them and run ids hash them: the plan
 * turns every weight spec, activation spec and layer policy of a suite into these before it makes runs.
 * {@link Schemes} is the real one.
 */
public interface SpecForms {

    /** A weight spec's canonical form: {@code ternary} is {@code ternary@mse/tensor}. */
    String canonicalWeights(String spec);

    /** An activation spec's canonical form: {@code none} stays, {@code int8} is {@code int8@absmax/token}. */
    String canonicalActivations(String spec);

    /**
     * The activations a weight spec's quantizer is published with ({@link dev.lowbit.api.spi.Quantizer#activations()}),
     * canonical; {@code none} for most.
     */
    String ownActivations(String canonicalWeights);

    /** A layer policy's canonical form: a preset's id, or a layer map with canonical specs. */
    String canonicalLayerPolicy(String text);

    /**
     * Forms for weight specs alone: activations and layer policies are kept as written, and no quantizer has
     * activations of its own (for checks that need no registries beyond the quantizers').
     */
    static SpecForms weightsOnly(UnaryOperator<String> canonicalWeights) {
        return new SpecForms() {
            @Override
            public String canonicalWeights(String spec) {
                return canonicalWeights.apply(spec);
            }

            @Override
            public String canonicalActivations(String spec) {
                return spec;
            }

            @Override
            public String ownActivations(String spec) {
                return ActivationRegistry.NONE;
            }

            @Override
            public String canonicalLayerPolicy(String text) {
                return text;
            }
        };
    }
}
