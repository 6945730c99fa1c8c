package dev.lowbit.harness.scheme;

import ai.djl.nn.Block;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.plugin.ActivationScheme;
import dev.lowbit.harness.plugin.PluginCodeException;
import dev.lowbit.harness.plugin.WeightScheme;
import dev.lowbit.harness.train.LayerSchemes;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The schemes of one run ({@link Schemes#forRun}): its weight scheme, its activation scheme and its layer
 * map, and from them what each quantized layer trains with. The model is built with
 * {@code architecture.build(shape, classes, weights().quantizer(), policy())}; then each of its
 * {@link QuantizedLayers} is configured with what {@link #layerSpecs} (or {@link #layer}) gives it.
 */
public final class RunSchemes {

    private final Schemes schemes;
    private final WeightScheme weights;
    private final ActivationScheme activations;
    private final LayerMap layers;

    RunSchemes(Schemes schemes, WeightScheme weights, ActivationScheme activations, LayerMap layers) {
        this.schemes = schemes;
        this.weights = weights;
        this.activations = activations;
        this.layers = layers;
    }

    /** The run's own weight scheme: what every layer no rule selects trains with. */
    public WeightScheme weights() {
        return weights;
    }

    /** The run's activation scheme, or empty for {@code none}. */
    public Optional<ActivationScheme> activations() {
        return Optional.ofNullable(activations);
    }

    /** The run's layer map (a preset is a map without rules). */
    public LayerMap layerMap() {
        return layers;
    }

    /** The policy the architecture is built with: the preset, or {@code all} under a layer map. */
    public LayerPolicy policy() {
        return layers.policy();
    }

    /**
     * Whether the run needs nothing beyond what lowbit did before schemes existed: a preset policy, the
     * quantizer's own estimator being the identity, and no activations. Such a run builds and trains exactly
     * as before, so its numbers stay bit-identical.
     */
    public boolean isPlain() {
        return layers.isPreset() && activations == null && weights.estimator().isIdentity();
    }

    /**
     * What the quantized layer at {@code position} of {@code count} trains with: the first rule that selects
     * it, else the run's own weight scheme; the run's activations unless the layer is in fp32.
     *
     * @param name the layer's name ({@link QuantizedLayers.Layer#name})
     * @param builtFullPrecision whether the architecture built the layer in fp32 (a preset such as
     *     {@code fp32-first} does): it stays fp32, without activations
     * @throws BadInputException never for a map from {@link Schemes#layerMap}, whose specs were checked
     * @throws PluginCodeException when a rule's quantizer code fails
     */
    public LayerSpec layer(int position, int count, String name, boolean builtFullPrecision) {
        if (builtFullPrecision) {
            return new LayerSpec(schemes.weights("fp32"), null);
        }
        WeightScheme scheme =
                layers.specFor(position, count, name).map(schemes::weights).orElse(weights);
        return new LayerSpec(scheme, activations);
    }

    /**
     * Every quantized layer of a model built for this run, with what it trains with, in order.
     *
     * @throws BadInputException when a layer-map rule selects none of the model's layers (a position past the
     *     end, a glob that matches no name), which is most likely a mistake in the map
     */
    public List<Configured> layerSpecs(Block model) {
        List<QuantizedLayers.Layer> found = QuantizedLayers.of(model);
        List<LayerMap.Rule> unmatched =
                layers.unmatched(found.stream().map(QuantizedLayers.Layer::name).toList());
        if (!unmatched.isEmpty()) {
            throw new BadInputException("Layer map '" + layers.canonical() + "': rule '" + unmatched.get(0)
                    + "' selects"
                    + " none of the model's " + found.size() + " quantized layers. Run 'lowbit list --layers ARCH' for"
                    + " their positions and names.");
        }
        List<Configured> configured = new ArrayList<>();
        for (QuantizedLayers.Layer layer : found) {
            boolean fp32 = layer.block().quantizedWeight().quantizer().isFullPrecision();
            configured.add(new Configured(layer, layer(layer.position(), found.size(), layer.name(), fp32)));
        }
        return configured;
    }

    /**
     * Every plugin instance the run's schemes call: the quantizers and estimators of its weight scheme and of
     * each layer-map rule, and its activation quantizer and estimator. For
     * {@link dev.lowbit.harness.plugin.RunClassLoader#of(dev.lowbit.api.spi.Quantizer, dev.lowbit.api.spi.Architecture,
     * java.util.Collection, ClassLoader)}, so that plugin code finds its own jars while the run trains.
     */
    public List<Object> code() {
        List<Object> code = new ArrayList<>(List.of(weights.quantizer(), weights.estimator()));
        for (LayerMap.Rule rule : layers.rules()) {
            WeightScheme scheme = schemes.weights(rule.spec());
            code.add(scheme.quantizer());
            code.add(scheme.estimator());
        }
        if (activations != null) {
            code.add(activations.quantizer());
            code.add(activations.estimator());
        }
        return code;
    }

    /**
     * What training, export and eval configure a model built for this run with: each quantized layer's
     * {@link LayerScheme}. Applying it checks the layer map against the model first ({@link #layerSpecs}).
     */
    public LayerSchemes layerSchemes() {
        return new LayerSchemes() {
            @Override
            public LayerScheme schemeFor(int position, int count, String name, Quantizer builtWith) {
                return scheme(layer(position, count, name, builtWith.isFullPrecision()));
            }

            @Override
            public void apply(Block model, QuantizerRandom random) {
                for (Configured configured : layerSpecs(model)) {
                    configured.layer().block().configure(scheme(configured.spec()), random);
                }
            }
        };
    }

    private static LayerScheme scheme(LayerSpec spec) {
        ActivationScheme input = spec.activations();
        return new LayerScheme(
                spec.weights().quantizer(),
                spec.weights().estimator(),
                input == null ? null : input.quantizer(),
                input == null ? null : input.estimator());
    }

    /** A quantized layer of a model and what it trains with. */
    public record Configured(QuantizedLayers.Layer layer, LayerSpec spec) {}
}
