package dev.lowbit.format.packing;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.Pair;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedConv2d;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.FullPrecisionQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.LbwFile;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * pack, write, read, decode: every quantized weight comes back as exactly the weights the forward pass
 * computed, through the packed form's generic float32 decode, for every kind of scale.
 */
class ModelPackingTest {

    private static final Shape INPUT = new Shape(1, 3, 8, 8);

    @TempDir
    Path dir;

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(23);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static Quantizer k9(String setting) {
        return new AlphabetQuantizer("test-k9", "test", Alphabet.symmetricWithZero(9), ScaleRules.parse(setting));
    }

    /** A conv kernel (6, 3, 5, 5) and linear weights (12, 96) and (5, 12), all under {@code quantizer}. */
    private SequentialBlock model(Quantizer quantizer) {
        SequentialBlock net = new SequentialBlock()
                .add(new QuantizedConv2d(6, 5, 1, 0, quantizer))
                .add(Blocks.batchFlattenBlock())
                .add(new QuantizedLinear(12, quantizer))
                .add(new QuantizedLinear(5, quantizer));
        net.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        net.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        net.initialize(manager, DataType.FLOAT32, INPUT);
        return net;
    }

    /** The weights the forward pass uses: Q(W) at the quantizer's scale, or at the trained values. */
    private NDArray forwardWeights(QuantizedWeight weight) {
        Quantizer quantizer = weight.quantizer();
        if (weight.learnedScale().isPresent()) {
            NDArray trained = weight.learnedScale().get().getArray();
            return ((AlphabetQuantizer) quantizer)
                    .quantizeTrained(
                            weight.weight().getArray(),
                            new NDList(trained),
                            GradientEstimator.STE,
                            QuantizationContext.EVALUATION);
        }
        return weight.forward(new ParameterStore(manager, false), manager, false);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(
            strings = {
                "absmean/tensor",
                "mse/channel",
                "absmax/group:16",
                "minmax/tensor",
                "minmax/channel",
                "minmax/group:8",
                "learned/channel",
                "learned/tensor",
                "learned/group:8"
            })
    void decodesEveryQuantizedWeightToExactlyWhatTheForwardPassComputes(String setting) {
        Quantizer quantizer = k9(setting);
        SequentialBlock model = model(quantizer);
        Map<String, QuantizedWeight> quantized = quantizedByName(model);

        PackedModel packed = ModelPacking.pack(model, Map.of("quantizer", quantizer.spec()));
        Path file = dir.resolve("model.lbw");
        LbwFile.write(packed, file);
        PackedModel read = LbwFile.read(file).model();

        assertThat(read).isEqualTo(packed);
        assertThat(quantized).hasSize(3);
        for (Map.Entry<String, QuantizedWeight> entry : quantized.entrySet()) {
            QuantizedTensor stored = (QuantizedTensor) read.tensor(entry.getKey());
            QuantizedWeight weight = entry.getValue();
            assertThat(stored.dequantize())
                    .as("%s %s", setting, entry.getKey())
                    .containsExactly(forwardWeights(weight).toFloatArray());
            Shape shape = weight.weight().getArray().getShape();
            assertThat(stored.groupSize()).isEqualTo(quantizer.granularity().groupSize());
            assertThat(stored.zeroPoints() != null).isEqualTo(setting.startsWith("minmax"));
            assertThat(stored.scales().length + (stored.zeroPoints() == null ? 0 : stored.zeroPoints().length))
                    .isEqualTo(quantizer.scaleCount(shape.getShape()));
            if (setting.startsWith("learned")) {
                NDArray trained = weight.learnedScale().orElseThrow().getArray();
                assertThat(stored.extras())
                        .containsExactly(
                                new Fp32Tensor("scale", trained.getShape().getShape(), trained.toFloatArray()));
            } else {
                assertThat(stored.extras()).isEmpty();
            }
        }
        // Trained values are stored with their weight, never as tensors of their own.
        assertThat(read.tensors())
                .extracting(PackedTensor::name)
                .hasSize(6)
                .allSatisfy(name -> assertThat(name).doesNotEndWith("_scale"));
        if (setting.startsWith("learned")) {
            assertThat(model.getParameters().keys())
                    .filteredOn(name -> name.endsWith("_scale"))
                    .hasSize(3);
        }
    }

    @Test
    void groupScalesAreStoredCompactPerOutputChannel() {
        Quantizer quantizer = k9("absmax/group:16");
        PackedModel packed = ModelPacking.pack(model(quantizer), Map.of());
        Map<String, long[]> scaleShapes = new LinkedHashMap<>();
        for (PackedTensor tensor : packed.tensors()) {
            if (tensor instanceof QuantizedTensor quantizedTensor) {
                scaleShapes.put(tensor.name(), quantizedTensor.scaleShape());
            }
        }
        // 75 weights per filter in five groups, 96 per row in six, 12 per row in one.
        assertThat(scaleShapes.values()).containsExactly(new long[] {6, 5}, new long[] {12, 6}, new long[] {5, 1});
    }

    @Test
    void aFullPrecisionModelInitialisedFromTheFileHasTheDecodedWeightsAndTheStoredBiases() {
        for (String setting : new String[] {"mse/channel", "minmax/group:8", "learned/channel"}) {
            Quantizer quantizer = k9(setting);
            SequentialBlock model = model(quantizer);
            Path file = dir.resolve("model.lbw");
            LbwFile.write(ModelPacking.pack(model, Map.of()), file);
            PackedModel read = LbwFile.read(file).model();
            SequentialBlock fp32 = new SequentialBlock()
                    .add(new QuantizedConv2d(6, 5, 1, 0, FullPrecisionQuantizer.INSTANCE))
                    .add(Blocks.batchFlattenBlock())
                    .add(new QuantizedLinear(12, FullPrecisionQuantizer.INSTANCE))
                    .add(new QuantizedLinear(5, FullPrecisionQuantizer.INSTANCE));

            ModelPacking.initializeFrom(read, fp32);
            fp32.initialize(manager, DataType.FLOAT32, INPUT);

            Map<String, QuantizedWeight> quantized = quantizedByName(model);
            for (Pair<String, Parameter> entry : fp32.getParameters()) {
                float[] loaded = entry.getValue().getArray().toFloatArray();
                QuantizedWeight weight = quantized.get(entry.getKey());
                float[] expected = weight != null
                        ? forwardWeights(weight).toFloatArray()
                        : model.getParameters().get(entry.getKey()).getArray().toFloatArray();
                assertThat(loaded).as("%s %s", setting, entry.getKey()).containsExactly(expected);
            }
        }
    }

    private static Map<String, QuantizedWeight> quantizedByName(SequentialBlock model) {
        Map<Parameter, QuantizedWeight> byParameter = QuantizedBlocks.weights(model);
        Map<String, QuantizedWeight> byName = new LinkedHashMap<>();
        for (Pair<String, Parameter> entry : model.getParameters()) {
            QuantizedWeight weight = byParameter.get(entry.getValue());
            if (weight != null) {
                byName.put(entry.getKey(), weight);
            }
        }
        return byName;
    }
}
