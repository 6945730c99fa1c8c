package dev.lowbit.architectures;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import dev.lowbit.api.nn.QuantizedLinear;
import dev.lowbit.api.spi.FullPrecisionQuantizer;
import dev.lowbit.api.spi.Quantizer;
import java.util.List;
import org.junit.jupiter.api.Test;

class VitAttentionTest {

    private static final Shape TOKENS = new Shape(2, 17, 48);

    @Test
    void quantizedAttentionEqualsTheFp32TwinGivenTheQuantizedWeights() {
        Quantizer ternary = VitFixtures.ternary();
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiHeadSelfAttention quantized = attention(ternary, manager);
            MultiHeadSelfAttention twin = new MultiHeadSelfAttention(48, 3, FullPrecisionQuantizer.INSTANCE);
            MultiHeadSelfAttention shadow = new MultiHeadSelfAttention(48, 3, FullPrecisionQuantizer.INSTANCE);
            List<Parameter> from = quantized.getParameters().values();
            for (int i = 0; i < from.size(); i++) {
                NDArray source = from.get(i).getArray();
                boolean weight = from.get(i).getType() == Parameter.Type.WEIGHT;
                // Initialisers rather than in-place writes: PyTorch warns when a parameter is set in place.
                twin.getParameters()
                        .get(i)
                        .getValue()
                        .setInitializer((m, s, t) -> owned(weight ? ternary.quantize(source) : source, m));
                shadow.getParameters().get(i).getValue().setInitializer((m, s, t) -> owned(source, m));
            }
            twin.initialize(manager, DataType.FLOAT32, TOKENS);
            shadow.initialize(manager, DataType.FLOAT32, TOKENS);
            NDArray x = manager.randomNormal(TOKENS);

            NDArray actual = forward(quantized, x, manager);
            assertThat(actual.allClose(forward(twin, x, manager), 1e-5, 1e-5, false))
                    .isTrue();
            // The quantizer did change the result: the shadow weights alone give another output.
            assertThat(actual.allClose(forward(shadow, x, manager), 1e-2, 1e-2, false))
                    .isFalse();
        }
    }

    @Test
    void quantizedAttentionEqualsSoftmaxAttentionComputedHeadByHead() {
        Quantizer ternary = VitFixtures.ternary();
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiHeadSelfAttention attention = attention(ternary, manager);
            NDArray x = manager.randomNormal(TOKENS);
            List<QuantizedLinear> p = attention.projections();
            NDArray q = byHand(x, p.get(0), ternary);
            NDArray k = byHand(x, p.get(1), ternary);
            NDArray v = byHand(x, p.get(2), ternary);
            NDList heads = new NDList();
            for (int h = 0; h < 3; h++) {
                String slice = ":, :, " + 16 * h + ":" + 16 * (h + 1);
                NDArray scores =
                        q.get(slice).matMul(k.get(slice).transpose(0, 2, 1)).div(Math.sqrt(16));
                heads.add(scores.softmax(2).matMul(v.get(slice)));
            }
            NDArray expected = byHand(NDArrays.concat(heads, 2), p.get(3), ternary);

            assertThat(forward(attention, x, manager).allClose(expected, 1e-5, 1e-5, false))
                    .isTrue();
        }
    }

    @Test
    void tokenLayerNormNormalisesEachTokenOverItsFeatures() {
        try (NDManager manager = NDManager.newBaseManager()) {
            LayerNorm norm = TransformerEncoderBlock.tokenNorm();
            norm.initialize(manager, DataType.FLOAT32, TOKENS);
            // Every token with its own offset and spread, so a norm over the wrong axes shows.
            NDArray x = manager.randomNormal(TOKENS)
                    .mul(manager.arange(1f, 35f).reshape(2, 17, 1))
                    .add(manager.arange(34f).reshape(2, 17, 1));
            NDArray y = norm.forward(new ParameterStore(manager, false), new NDList(x), false)
                    .singletonOrThrow();

            NDArray mean = x.mean(new int[] {2}, true);
            NDArray variance = x.sub(mean).square().mean(new int[] {2}, true);
            NDArray expected = x.sub(mean).div(variance.add(1e-5f).sqrt());
            assertThat(norm.getParameters().get("gamma").getArray().getShape()).isEqualTo(new Shape(48));
            assertThat(y.allClose(expected, 1e-4, 1e-4, false)).isTrue();
            assertThat(y.mean(new int[] {2}).abs().max().getFloat()).isLessThan(1e-5f);
        }
    }

    @Test
    void gradientsStayTheSameWhenTheGarbageCollectorRunsBetweenForwardAndBackward() {
        // The tape keeps the arrays of the forward pass until backward; the collector freeing
        // memory behind one of them (a scalar DJL made from a Java buffer) changed the gradients
        // of the query and key projections, and made a ViT run's results depend on GC timing.
        float[] undisturbed = queryAndKeyGradients(false);
        float[] collected = queryAndKeyGradients(true);
        int differing = 0;
        for (int i = 0; i < undisturbed.length; i++) {
            if (Float.floatToRawIntBits(collected[i]) != Float.floatToRawIntBits(undisturbed[i])) {
                differing++;
            }
        }
        assertThat(differing)
                .as("gradients changed by a garbage collection, e.g. %s instead of %s", collected[0], undisturbed[0])
                .isZero();
    }

    private static float[] queryAndKeyGradients(boolean collectGarbageBeforeBackward) {
        try (NDManager manager = NDManager.newBaseManager()) {
            MultiHeadSelfAttention attention = attention(FullPrecisionQuantizer.INSTANCE, manager);
            NDArray x = manager.randomNormal(TOKENS);
            try (NDManager batch = manager.newSubManager();
                    GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray input = x.duplicate();
                input.attach(batch);
                NDArray y = attention
                        .forward(new ParameterStore(manager, false), new NDList(input), true)
                        .singletonOrThrow();
                if (collectGarbageBeforeBackward) {
                    collectGarbage();
                }
                tape.backward(y.square().sum());
            }
            List<QuantizedLinear> projections = attention.projections();
            NDArray query =
                    projections.get(0).quantizedWeight().weight().getArray().getGradient();
            NDArray key =
                    projections.get(1).quantizedWeight().weight().getArray().getGradient();
            return query.concat(key).toFloatArray();
        }
    }

    /** Runs the garbage collector until it has collected, and lets the cleaners free native memory. */
    private static void collectGarbage() {
        java.lang.ref.WeakReference<Object> sentinel = new java.lang.ref.WeakReference<>(new Object());
        try {
            for (int i = 0; i < 3 || sentinel.get() != null; i++) {
                System.gc();
                Thread.sleep(50);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** An initialised attention layer with random weights and non-zero biases (so they count). */
    private static MultiHeadSelfAttention attention(Quantizer quantizer, NDManager manager) {
        Engine.getInstance().setRandomSeed(11);
        MultiHeadSelfAttention attention = new MultiHeadSelfAttention(48, 3, quantizer);
        attention.setInitializer(new NormalInitializer(0.2f), Parameter.Type.WEIGHT);
        attention.setInitializer(new NormalInitializer(0.1f), Parameter.Type.BIAS);
        attention.initialize(manager, DataType.FLOAT32, TOKENS);
        return attention;
    }

    /** {@code x Q(W)^T + b}, from the layer's stored shadow weight and bias. */
    private static NDArray byHand(NDArray x, QuantizedLinear linear, Quantizer quantizer) {
        NDArray weight = quantizer.quantize(linear.quantizedWeight().weight().getArray());
        return x.matMul(weight.transpose())
                .add(linear.getParameters().get("bias").getArray());
    }

    private static NDArray forward(MultiHeadSelfAttention attention, NDArray x, NDManager manager) {
        return attention
                .forward(new ParameterStore(manager, false), new NDList(x), false)
                .singletonOrThrow();
    }

    private static NDArray owned(NDArray array, NDManager manager) {
        NDArray copy = array.duplicate();
        copy.attach(manager);
        return copy;
    }
}
