package dev.lowbit.harness.scheme;

import dev.lowbit.api.nn.QuantizerException;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.ActivationRegistry;
import dev.lowbit.harness.plugin.ActivationScheme;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import dev.lowbit.harness.plugin.WeightScheme;
import java.util.Optional;

/**
 * The bit schemes of runs, from the registries of one command: resolves weight specs
 * ({@code QUANTIZER[@RULE[/GRANULARITY]][~ESTIMATOR]}), activation specs ({@code none} or
 * {@code ID[OPTIONS][~ESTIMATOR]}) and layer policies (a preset or {@code SELECTOR=SPEC;...}), and gives
 * their canonical forms. {@link #forRun} is what training, export and evaluation start from.
 */
public final class Schemes implements SpecForms {

    private final QuantizerRegistry quantizers;
    private final ActivationRegistry activations;

    public Schemes(QuantizerRegistry quantizers, ActivationRegistry activations) {
        this.quantizers = quantizers;
        this.activations = activations;
    }

    /** The schemes of a command's plugins. */
    public static Schemes of(Plugins plugins) {
        return new Schemes(plugins.quantizers(), plugins.activations());
    }

    /** The quantizers, scale rules and estimators. */
    public QuantizerRegistry quantizers() {
        return quantizers;
    }

    /** The activation quantizers. */
    public ActivationRegistry activationQuantizers() {
        return activations;
    }

    /**
     * A weight spec's quantizer and estimator.
     *
     * @throws BadInputException for a spec that names what does not exist
     * @throws PluginCodeException when the quantizer's code fails
     */
    public WeightScheme weights(String spec) {
        return quantizers.resolveScheme(spec);
    }

    /**
     * An activation spec's quantizer and estimator; empty for {@code none}.
     *
     * @throws BadInputException for a spec that names what does not exist or options the quantizer refuses
     * @throws PluginCodeException when the quantizer's code fails
     */
    public Optional<ActivationScheme> activations(String spec) {
        return activations.resolve(spec);
    }

    /**
     * A layer policy parsed, each spec checked and canonical.
     *
     * @throws BadInputException for a policy that is no preset and no valid layer map, naming the rule
     */
    public LayerMap layerMap(String text) {
        return LayerMap.parse(text, quantizers::canonicalSpec);
    }

    /**
     * What a run trains with: its weight scheme, its activation scheme and its layer map, each resolved
     * once. Training, export and evaluation take each quantized layer's {@link LayerSpec} from it.
     *
     * @throws BadInputException for a config whose specs name what does not exist (results from elsewhere)
     * @throws PluginCodeException when a scheme's code fails
     */
    public RunSchemes forRun(RunConfig config) {
        return forSpecs(config.quantizer(), config.activations(), config.layerPolicy());
    }

    /**
     * The schemes of a weight spec, an activation spec and a layer policy, as a run with them trains: what
     * a packed file's header names.
     */
    public RunSchemes forSpecs(String weightSpec, String activationSpec, String layerPolicy) {
        return new RunSchemes(
                this, weights(weightSpec), activations(activationSpec).orElse(null), layerMap(layerPolicy));
    }

    @Override
    public String canonicalWeights(String spec) {
        return quantizers.canonicalSpec(spec);
    }

    @Override
    public String canonicalActivations(String spec) {
        return activations.canonicalSpec(spec);
    }

    /**
     * The activations a weight spec's quantizer is published with, canonical; {@code none} when it declares
     * none, or when the quantizer cannot be configured (its runs then fail with that code's message when
     * they start).
     *
     * @throws BadInputException when it declares activations that cannot be resolved, e.g. from a plugin that is
     *     not installed
     * @throws PluginCodeException when its {@code activations()} throws: the run's activations cannot be known
     */
    @Override
    public String ownActivations(String weightSpec) {
        Quantizer quantizer;
        try {
            quantizer = quantizers.resolve(weightSpec);
        } catch (PluginCodeException e) {
            return ActivationRegistry.NONE;
        }
        if (quantizer.isFullPrecision()) {
            return ActivationRegistry.NONE;
        }
        String declared;
        try {
            declared = quantizer.activations();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (RuntimeException | Error e) {
            throw new PluginCodeException(
                    "Quantizer '" + weightSpec + "' from " + quantizers.origin(weightSpec)
                            + " failed in activations(): " + QuantizerException.describe(e),
                    e);
        }
        if (declared == null || declared.equals(ActivationRegistry.NONE)) {
            return ActivationRegistry.NONE;
        }
        try {
            return activations.canonicalSpec(declared);
        } catch (BadInputException e) {
            throw new BadInputException(
                    "Quantizer '" + weightSpec + "' is published with activations '" + declared + "': " + e.getMessage()
                            + " Or name other activations (--activations, or the suite's activations).",
                    e);
        }
    }

    @Override
    public String canonicalLayerPolicy(String text) {
        return layerMap(text).canonical();
    }
}
