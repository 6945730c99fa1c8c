package dev.lowbit.example;

import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.pooling.Pool;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;

/**
 * LeNet-5 (LeCun et al., 1998) in its common modern form, ReLU and max pooling:
 * <pre>
 *   conv 5x5, 6 filters, padding 2 -> ReLU -> 2x2 max pool
 *   conv 5x5, 16 filters           -> ReLU -> 2x2 max pool
 *   fc-120 -> ReLU -> fc-84 -> ReLU -> fc-classes
 * </pre>
 * On 1x28x28 inputs: 28 -> 14 -> 10 -> 5, so 16 x 5 x 5 = 400 features and 61,706 parameters. Input
 * channels, height and width come from the dataset (3x32x32 gives 16 x 6 x 6 features). Both kernels
 * and all three weight matrices go through the quantizer; biases stay fp32.
 */
public final class LeNet5Architecture implements Architecture {

    /** The id, persisted in results: never rename it. */
    public static final String ID = "lenet-5";

    /** The smallest side two 2x2 poolings around a 5x5 valid convolution leave at least one pixel of. */
    private static final long MIN_SIDE = 12;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "LeNet-5: conv5x5-6 (pad 2), pool, conv5x5-16, pool, fc-120, fc-84, fc-classes, ReLU";
    }

    @Override
    public Block build(Shape inputShape, int classes, Quantizer quantizer, LayerPolicy policy) {
        if (inputShape.dimension() != 3 || inputShape.get(1) < MIN_SIDE || inputShape.get(2) < MIN_SIDE) {
            throw new IllegalArgumentException(ID + " needs (channels, height, width) input of at least " + MIN_SIDE
                    + "x" + MIN_SIDE + ", got " + inputShape);
        }
        return new SequentialBlock()
                .add(new QuantizedConv2d(6, 5, 1, 2, policy.first(quantizer)))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(new QuantizedConv2d(16, 5, 1, 0, quantizer))
                .add(Activation::relu)
                .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)))
                .add(Blocks.batchFlattenBlock())
                .add(new QuantizedLinear(120, quantizer))
                .add(Activation::relu)
                .add(new QuantizedLinear(84, quantizer))
                .add(Activation::relu)
                .add(new QuantizedLinear(classes, policy.last(quantizer)));
    }
}
