package dev.lowbit.reports;

import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.QuantizerRecord;
import dev.lowbit.format.result.RunConfig;
import java.util.Arrays;
import java.util.Optional;

/**
 * How the report names what a run trained with: its quantizer spec, its activation quantizer, its
 * weight and activation bits and its layer map, e.g.
 * {@code ternary@absmean/tensor + int8@absmax/token W1.58A8 (layers first=k17)}. Every table row,
 * chart label and verdict names runs this way, so two runs that differ in any of these never share a
 * name.
 *
 * @param spec the quantizer spec as the run stored it, e.g. {@code ternary@mse/tensor}
 * @param quantizer what the quantizer and the activation quantizer were
 * @param layerPolicy the run's layer policy: a preset id such as {@code all}, or a layer map
 */
record SchemeLabel(String spec, QuantizerRecord quantizer, String layerPolicy) {

    static SchemeLabel of(RunConfig config, QuantizerRecord quantizer) {
        return new SchemeLabel(config.quantizer(), quantizer, config.layerPolicy());
    }

    /** Whether {@code policy} is a layer map, not one of the presets {@code all}, {@code fp32-first}, ... */
    static boolean isLayerMap(String policy) {
        return policy != null && Arrays.stream(LayerPolicy.values()).noneMatch(p -> p.id().equals(policy));
    }

    ActivationRecord activations() {
        return quantizer.activations();
    }

    /** The quantizers without bits: the spec, and {@code + <activation spec>} when inputs are quantized. */
    String quantizers() {
        return activations().quantizes() ? spec + " + " + activations().spec() : spec;
    }

    /** The weight and activation bits, e.g. {@code W1.58A8}, or {@code W1.58} with fp32 inputs. */
    String bits() {
        return Formats.weightActivationBits(quantizer);
    }

    /** The layer map, when the run has one rather than a preset policy. */
    Optional<String> layerMap() {
        return isLayerMap(layerPolicy) ? Optional.of(layerPolicy) : Optional.empty();
    }

    /** {@code  (layers <map>)} for a run with a layer map, else nothing. */
    String layerMapSuffix() {
        return layerMap().map(map -> " (layers " + map + ")").orElse("");
    }

    /** The full name: quantizers, bits, then the layer map when there is one. */
    String name() {
        return quantizers() + " " + bits() + layerMapSuffix();
    }

    /** Whether the run quantized weights alone, through a preset policy: what the findings F1-F5 are about. */
    boolean weightsOnly() {
        return !activations().quantizes() && layerMap().isEmpty();
    }
}
