package dev.lowbit.harness.train;

import ai.djl.nn.Block;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.FullPrecisionQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.util.List;
import java.util.Objects;

/**
 * Which scheme each quantized layer of a built model trains with: the run's weight quantizer with its
 * estimator, the run's activation quantizer, and the layer map's choices. Applied after
 * {@code Architecture.build} and before the model initialises ({@link #apply}), so every architecture,
 * plugin ones included, takes estimators, activation quantizers and layer maps without a change.
 */
public interface LayerSchemes {

    /**
     * The scheme of one quantized layer.
     *
     * @param position the layer's place among the model's quantized layers, from 0, in the order of
     *     {@link QuantizedBlocks#in} (the order {@code lowbit list --layers} prints)
     * @param count how many quantized layers the model has
     * @param name the layer's name: its weight's parameter path without the trailing {@code _weight}
     * @param builtWith the quantizer the architecture gave the layer (fp32 where a preset policy keeps it)
     */
    LayerScheme schemeFor(int position, int count, String name, Quantizer builtWith);

    /**
     * The run's scheme on every layer the architecture quantized; layers it kept in fp32 stay fp32, their
     * inputs included.
     *
     * @param activations the input quantizer, or null for fp32 inputs
     * @param inputEstimator its estimator (its own when null)
     */
    static LayerSchemes uniform(
            GradientEstimator estimator, ActivationQuantizer activations, GradientEstimator inputEstimator) {
        Objects.requireNonNull(estimator, "estimator");
        return (position, count, name, builtWith) -> builtWith.isFullPrecision()
                ? LayerScheme.of(builtWith)
                : new LayerScheme(builtWith, estimator, activations, inputEstimator);
    }

    /** Every layer as the architecture built it: the quantizer's own estimator, fp32 inputs. */
    LayerSchemes AS_BUILT = (position, count, name, builtWith) -> LayerScheme.of(builtWith);

    /**
     * Configures every quantized block of {@code model} (named already, see
     * {@code QuantizedWeight.nameAll}) with its scheme and the run's generator.
     */
    default void apply(Block model, QuantizerRandom random) {
        List<QuantizedBlock> blocks = QuantizedBlocks.in(model);
        for (int i = 0; i < blocks.size(); i++) {
            QuantizedBlock block = blocks.get(i);
            Quantizer builtWith = block.quantizedWeight().quantizer();
            block.configure(schemeFor(i, blocks.size(), block.quantizedWeight().layerName(), builtWith), random);
        }
    }

    /** The fp32 scheme, for a layer a map keeps in full precision. */
    static LayerScheme fp32() {
        return LayerScheme.of(FullPrecisionQuantizer.INSTANCE);
    }
}
