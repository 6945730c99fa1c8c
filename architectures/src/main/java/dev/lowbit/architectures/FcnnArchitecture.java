package dev.lowbit.architectures;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A fully connected network: flatten, then hidden layers with ReLU, then a linear classifier.
 * Every weight matrix, the classifier's included, goes through the quantizer; biases stay fp32.
 */
public abstract class FcnnArchitecture implements Architecture {

    private final String id;
    private final int[] hiddenUnits;

    /**
     * A fully connected family member.
     *
     * @param id the stable id, e.g. {@code fcnn-small}
     * @param hiddenUnits the width of each hidden layer, in order
     * @throws IllegalArgumentException for an id that does not match {@code [a-z][a-z0-9.-]*}
     */
    protected FcnnArchitecture(String id, int... hiddenUnits) {
        this.id = PersistedIds.requireValid(id);
        this.hiddenUnits = hiddenUnits.clone();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        String hidden = Arrays.stream(hiddenUnits).mapToObj(String::valueOf).collect(Collectors.joining("-"));
        return "fully connected, input-" + hidden + "-classes, ReLU";
    }

    @Override
    public Block build(Shape inputShape, int classes, Quantizer quantizer, LayerPolicy policy) {
        SequentialBlock net = new SequentialBlock().add(Blocks.batchFlattenBlock());
        for (int i = 0; i < hiddenUnits.length; i++) {
            net.add(new QuantizedLinear(hiddenUnits[i], i == 0 ? policy.first(quantizer) : quantizer))
                    .add(Activation::relu);
        }
        return net.add(new QuantizedLinear(classes, policy.last(quantizer)));
    }
}
