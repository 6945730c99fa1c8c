package dev.lowbit.api.nn;

import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import dev.lowbit.api.spi.Quantizer;
import java.util.Objects;

/**
 * What lowbit's quantized layers share: a {@link QuantizedWeight} and an fp32 bias, registered in the
 * order weight, the weight's trained values, the input quantizer's trained values, bias, and
 * reconfigurable with a {@link LayerScheme} until the model initialises.
 */
abstract class QuantizedLayer extends AbstractBlock implements QuantizedBlock {

    private static final byte VERSION = 1;

    /** The quantized weight: shadow weight, scheme and trained values. */
    protected final QuantizedWeight weight;
    /** The bias, fp32. */
    protected final Parameter bias;

    /**
     * @param quantizer the quantizer of the weight
     * @param rank the weight's number of axes (2 for a linear layer, 4 for a 2-D convolution)
     */
    protected QuantizedLayer(Quantizer quantizer, int rank) {
        super(VERSION);
        this.weight = new QuantizedWeight(Objects.requireNonNull(quantizer, "quantizer"), rank);
        this.bias =
                Parameter.builder().setName("bias").setType(Parameter.Type.BIAS).build();
        register();
    }

    @Override
    public final void configure(LayerScheme scheme, QuantizerRandom random) {
        if (isInitialized()) {
            throw new IllegalStateException("Cannot configure " + this + " after it is initialised: configure each"
                    + " quantized block before the model initialises.");
        }
        weight.configure(scheme, random);
        register();
    }

    /** (Re)registers the parameters: the quantized weight's (weight, trained values, input values), then the bias. */
    private void register() {
        parameters.clear();
        for (Parameter parameter : weight.parameters()) {
            addParameter(parameter);
        }
        addParameter(bias);
    }

    @Override
    public final QuantizedWeight quantizedWeight() {
        return weight;
    }
}
