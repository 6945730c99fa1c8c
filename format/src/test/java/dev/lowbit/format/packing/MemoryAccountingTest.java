package dev.lowbit.format.packing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.nn.LayerScheme;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.TensorMemory;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The memory tiers of an initialised model: what is quantized, what counts as its scales, what stays fp32. */
class MemoryAccountingTest {

    /** Ternary on two trained magnitudes (TTQ's wp and wn): only what counting needs, no forward pass. */
    static final class TwoMagnitudes extends AlphabetQuantizer implements LearnedQuantizer {
        TwoMagnitudes() {
            super("test-ttq", "test", Alphabet.symmetricWithZero(3));
        }

        @Override
        public List<TrainedValue> trainedValues(Shape weightShape) {
            return List.of(new TrainedValue("wp", new Shape(1)), new TrainedValue("wn", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDArray weights) {
            NDArray magnitude = weights.abs().mean().reshape(1);
            return new NDList(magnitude, magnitude.duplicate());
        }

        @Override
        public NDArray quantizeTrained(
                NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            throw new UnsupportedOperationException("counting never runs the forward pass");
        }

        @Override
        public NDArray codes(NDArray weights, NDList trained) {
            throw new UnsupportedOperationException("counting never packs");
        }
    }

    /** An input quantizer with one trained value, alpha (PACT's clip): an ordinary fp32 parameter. */
    static final class LearnedClip implements ActivationQuantizer {
        @Override
        public String id() {
            return "test-clip";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public String spec() {
            return "test-clip";
        }

        @Override
        public double bits() {
            return 8;
        }

        @Override
        public NDArray scale(NDArray input, NDList trained) {
            return input.abs().max().div(127f);
        }

        @Override
        public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
            return input.div(scale).round().mul(scale);
        }

        @Override
        public NDArray normalized(NDArray input, NDArray scale) {
            return input.div(scale).div(127f);
        }

        @Override
        public List<TrainedValue> trainedValues() {
            return List.of(new TrainedValue("alpha", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDManager manager) {
            return new NDList(manager.create(new float[] {0.5f}));
        }
    }

    /** Ternary at its default rule. */
    static final class Ternary extends AlphabetQuantizer {
        Ternary() {
            super("test-ternary", "test", Alphabet.symmetricWithZero(3));
        }
    }

    private final Quantizer ternary = new Ternary();
    private NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(3);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    @Test
    void countsOnlyQuantizedWeightsAtLog2KBits() {
        SequentialBlock net =
                new SequentialBlock().add(new QuantizedLinear(8, ternary)).add(new QuantizedLinear(3, ternary));
        net.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 10));

        MemoryRecord memory = MemoryAccounting.of(net);

        long weights = 8 * 10 + 3 * 8;
        long biases = 8 + 3;
        assertThat(memory.parameters()).isEqualTo(weights + biases);
        assertThat(memory.quantizedWeights()).isEqualTo(weights);
        assertThat(memory.scales()).isEqualTo(2);
        assertThat(memory.fp32Bytes()).isEqualTo(4.0 * (weights + biases));
        assertThat(memory.idealBytes())
                .isCloseTo((weights * Math.log(3) / Math.log(2) + 32.0 * (biases + 2)) / 8, within(1e-9));
    }

    @Test
    void countsAWeightsTrainedValuesAsItsScalesAndInputValuesAsFp32() {
        SequentialBlock net =
                new SequentialBlock().add(new QuantizedLinear(8, ternary)).add(new QuantizedLinear(3, ternary));
        QuantizedLinear second = (QuantizedLinear) net.getChildren().get(1).getValue();
        second.configure(
                new LayerScheme(new TwoMagnitudes(), GradientEstimator.STE, new LearnedClip()), new QuantizerRandom(1));
        net.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 10));

        MemoryRecord memory = MemoryAccounting.of(net);

        assertThat(memory.tensors())
                .extracting(TensorMemory::name)
                .containsExactly(
                        "01QuantizedLinear_weight",
                        "01QuantizedLinear_bias",
                        "02QuantizedLinear_weight",
                        "02QuantizedLinear_input_alpha",
                        "02QuantizedLinear_bias");
        assertThat(memory.tensors()).extracting(TensorMemory::scales).containsExactly(1L, 0L, 2L, 0L, 0L);
        assertThat(memory.tensors())
                .extracting(TensorMemory::quantized)
                .containsExactly(true, false, true, false, false);
        assertThat(memory.parameters()).isEqualTo(8 * 10 + 8 + 3 * 8 + 1 + 3);
        assertThat(QuantizedBlocks.trainedValues(QuantizedBlocks.weights(net)))
                .containsExactlyInAnyOrderElementsOf(second.quantizedWeight().trainedValues());
    }
}
