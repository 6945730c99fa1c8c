package dev.lowbit.architectures;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * A convolutional network: stages of 3x3 convolution, batch norm, ReLU and 2x2 max pooling, then
 * an optional hidden fully connected layer and the classifier. Every conv kernel and weight matrix
 * goes through the quantizer; biases and batch-norm parameters stay fp32.
 */
public abstract class CnnArchitecture implements Architecture {

    private final String id;
    private final int[] channels;
    private final int hiddenUnits;

    /**
     * @param id the stable id
     * @param channels output channels of each conv stage; each stage halves height and width
     * @param hiddenUnits units of the hidden fully connected layer, 0 for none
     */
    protected CnnArchitecture(String id, int[] channels, int hiddenUnits) {
        this.id = PersistedIds.requireValid(id);
        this.channels = channels.clone();
        this.hiddenUnits = hiddenUnits;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String description() {
        return "CNN: "
                + Arrays.stream(channels)
                        .mapToObj(c -> "conv3x3-" + c + "+BN+pool")
                        .collect(Collectors.joining(", ")) + (hiddenUnits > 0 ? ", fc-" + hiddenUnits : "")
                + ", fc-classes";
    }

    @Override
    public Block build(Shape inputShape, int classes, Quantizer quantizer, LayerPolicy policy) {
        long height = inputShape.get(1);
        long width = inputShape.get(2);
        int halvings = channels.length;
        if (inputShape.dimension() != 3 || height >> halvings < 1 || width >> halvings < 1) {
            throw new IllegalArgumentException(id + " needs (channels, height, width) input of at least "
                    + (1 << halvings) + "x" + (1 << halvings) + ", got " + inputShape);
        }
        SequentialBlock net = new SequentialBlock();
        for (int i = 0; i < channels.length; i++) {
            net.add(QuantizedConv2d.same(channels[i], 3, i == 0 ? policy.first(quantizer) : quantizer))
                    .add(BatchNorm.builder().build())
                    .add(Activation::relu)
                    .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
        }
        net.add(Blocks.batchFlattenBlock());
        if (hiddenUnits > 0) {
            net.add(new QuantizedLinear(hiddenUnits, quantizer)).add(Activation::relu);
        }
        return net.add(new QuantizedLinear(classes, policy.last(quantizer)));
    }
}
