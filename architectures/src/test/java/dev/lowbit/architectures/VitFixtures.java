package dev.lowbit.architectures;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.api.spi.Quantizer;

/** Shared set-up of the ViT tests: a ternary quantizer and initialised networks. */
final class VitFixtures {

    static final Shape FASHION_MNIST = new Shape(1, 28, 28);
    static final Shape CIFAR = new Shape(3, 32, 32);

    private VitFixtures() {}

    /** Ternary {-s, 0, s} with the absmean scale. */
    static Quantizer ternary() {
        return new AlphabetQuantizer("t", "test", Alphabet.symmetricWithZero(3), ScaleRules.parse("absmean"));
    }

    static Architecture byId(String id) {
        return switch (id) {
            case "vit-small" -> new VitSmallArchitecture();
            case "vit-large" -> new VitLargeArchitecture();
            default -> throw new IllegalArgumentException(id);
        };
    }

    /** The architecture built for 10 classes and initialised (seeded) for batches of {@code batch}. */
    static Block initialised(
            Architecture architecture,
            Shape example,
            Quantizer quantizer,
            LayerPolicy policy,
            NDManager manager,
            int batch) {
        Engine.getInstance().setRandomSeed(42);
        Block net = architecture.build(example, 10, quantizer, policy);
        net.initialize(manager, DataType.FLOAT32, new Shape(batch).addAll(example));
        return net;
    }
}
