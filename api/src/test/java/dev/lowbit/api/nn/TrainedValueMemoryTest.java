package dev.lowbit.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.Quantizer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Trained values keep their memory for as long as the model lives. DJL's PyTorch engine makes an array
 * from Java data ({@code manager.create}) over a direct buffer that the array holds; a view of it (a
 * {@code reshape}) does not, so a trained value left viewing such an array read freed memory once the
 * array was closed and the JVM collected the buffer: LSQ's per-tensor step (its MSE start is searched
 * in Java for small tensors) changed mid-run, and a run's stored test predictions turned to class 0 for
 * the later test batches while its packed file, exported and evaluated, gave the right ones.
 */
class TrainedValueMemoryTest {

    private NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** LSQ's step per tensor, started at the MSE scale, which a tensor this small gets from the search in Java. */
    static final class LearnedQuinaryPerTensor extends AlphabetQuantizer {
        LearnedQuinaryPerTensor() {
            super("test-learned-tensor", "test", Alphabet.symmetricWithZero(5), ScaleRules.parse("learned/tensor"));
        }
    }

    /** Magnitudes started from a view of an array made from Java data, left open in the weights' manager. */
    static final class ViewedMagnitudes extends SchemeFixtures.TwoMagnitudes {
        @Override
        public NDList initialValues(NDArray weights) {
            float mean = 0;
            for (float w : weights.toFloatArray()) {
                mean += Math.abs(w) / weights.size();
            }
            NDArray made = weights.getManager().create(new float[] {mean, 2 * mean});
            return new NDList(made.get("0:1"), made.get("1:2"));
        }
    }

    /** PACT-like clip whose alpha starts from a view of an array made from Java data. */
    static final class ViewedClip extends SchemeFixtures.AbsMaxInt8 {
        @Override
        public String id() {
            return "test-viewed-clip";
        }

        @Override
        public String spec() {
            return "test-viewed-clip";
        }

        @Override
        public List<dev.lowbit.api.spi.TrainedValue> trainedValues() {
            return List.of(new dev.lowbit.api.spi.TrainedValue("alpha", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDManager scope) {
            return new NDList(scope.create(0.5f).reshape(1));
        }
    }

    private QuantizedLinear initialised(Quantizer quantizer, LayerScheme scheme) {
        QuantizedLinear layer = new QuantizedLinear(4, quantizer);
        if (scheme != null) {
            layer.configure(scheme, new QuantizerRandom(1));
        }
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
        layer.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        layer.initialize(manager, DataType.FLOAT32, new Shape(5, 6));
        return layer;
    }

    @Test
    void lsqsPerTensorStepKeepsItsStartOnceTheJvmFreesWhatItWasComputedFrom() {
        LearnedQuinaryPerTensor lsq = new LearnedQuinaryPerTensor();
        QuantizedLinear layer = initialised(lsq, null);
        float[] start = lsq.scale(layer.quantizedWeight().weight().getArray()).toFloatArray();

        freeCollectedBuffersAndReuseTheirMemory();

        assertThat(layer.getParameters().get("scale").getArray().toFloatArray()).containsExactly(start);
    }

    @Test
    void aSchemesTrainedValuesKeepTheirStartWhenItReturnedViewsOfArraysMadeFromJavaData() {
        ViewedMagnitudes magnitudes = new ViewedMagnitudes();
        QuantizedLinear layer = initialised(magnitudes, null);
        float mean = magnitudes
                .initialValues(layer.quantizedWeight().weight().getArray())
                .get(0)
                .getFloat();

        freeCollectedBuffersAndReuseTheirMemory();

        assertThat(layer.getParameters().get("wp").getArray().toFloatArray()).containsExactly(mean);
        assertThat(layer.getParameters().get("wn").getArray().toFloatArray()).containsExactly(2 * mean);
    }

    @Test
    void anActivationQuantizersTrainedValueKeepsItsStartWhenItReturnedAView() {
        Quantizer ternary = new SchemeFixtures.Ternary();
        QuantizedLinear layer = initialised(ternary, new LayerScheme(ternary, GradientEstimator.STE, new ViewedClip()));

        freeCollectedBuffersAndReuseTheirMemory();

        assertThat(layer.getParameters().get("input_alpha").getArray().toFloatArray())
                .containsExactly(0.5f);
    }

    /**
     * Collects unreachable direct buffers (their cleaner frees the native memory), then allocates and
     * fills small direct buffers, so memory freed that way holds other data before it is read.
     */
    private static void freeCollectedBuffersAndReuseTheirMemory() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        List<ByteBuffer> reuse = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
            buffer.putFloat(0, -7f).putFloat(4, -7f);
            reuse.add(buffer);
        }
        assertThat(reuse).hasSize(10_000);
    }
}
