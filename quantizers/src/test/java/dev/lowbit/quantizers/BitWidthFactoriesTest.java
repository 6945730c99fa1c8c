package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.testkit.QuantizerContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The K-bit weight schemes made by factories: dorefa:K and lsq:K. */
class BitWidthFactoriesTest extends EngineTest {

    private static final float[] W = {0.9f, -0.1f, 0.3f, -0.6f, 0.5f, -1.8f, 0.05f, 1.2f};

    @Test
    void dorefaHasTwoToTheKLevelsEvenlySpacedOnMinusOneToOne() {
        DorefaQuantizerFactory factory = new DorefaQuantizerFactory();
        assertThat(factory.create("1").alphabet()).contains(Alphabet.of(-1, 1));
        assertThat(factory.create("2").alphabet().orElseThrow().values())
                .containsExactly(new double[] {-1, -1 / 3.0, 1 / 3.0, 1}, within(1e-15));
        assertThat(factory.create("8").levels()).isEqualTo(256);
        assertThat(factory.create("2").spec()).isEqualTo("dorefa:2@unit/tensor");
        assertThat(factory.create("2").scale(vector(W)).getFloat()).isEqualTo(1f);
    }

    @Test
    void dorefaCodesAreThePapersQuantizeKOfTanhOverTwiceItsLargestMagnitudePlusAHalf() {
        for (int bits : new int[] {1, 2, 3}) {
            Quantizer dorefa = new DorefaQuantizerFactory().create(String.valueOf(bits));
            double largest = 0;
            for (float w : W) {
                largest = Math.max(largest, Math.abs(Math.tanh(w)));
            }
            int n = (1 << bits) - 1;
            float[] expectedCodes = new float[W.length];
            float[] expectedWeights = new float[W.length];
            for (int i = 0; i < W.length; i++) {
                // Wq = 2 quantize_k(tanh W / (2 max|tanh W|) + 1/2) - 1, quantize_k(r) = round(n r) / n
                long code = Math.round(n * (Math.tanh(W[i]) / (2 * largest) + 0.5));
                expectedCodes[i] = code;
                expectedWeights[i] = (float) (2.0 * code / n - 1);
            }
            NDArray weights = vector(W);
            NDArray codes = dorefa.codes(weights, dorefa.scale(weights));
            assertThat(codes.toFloatArray()).as("dorefa:%d", bits).containsExactly(expectedCodes);
            assertCloseTo(dorefa.quantize(weights), expectedWeights);
        }
    }

    @Test
    void dorefaTrainsThroughTheDerivativeOfItsTanhMap() {
        Quantizer dorefa = new DorefaQuantizerFactory().create("2");
        assertThat(dorefa.estimator().id()).isEqualTo("dorefa-tanh");
        NDArray weights = vector(W);
        NDArray u = dorefa.normalized(weights, dorefa.scale(weights));
        assertThat(u.toFloatArray()).as("the weights themselves").containsExactly(W);
        double largest = Math.tanh(1.8);
        float[] expected = new float[W.length];
        for (int i = 0; i < W.length; i++) {
            double t = Math.tanh(W[i]);
            expected[i] = (float) ((1 - t * t) / largest);
        }
        assertCloseTo(dorefa.estimator().derivative(u), expected);
    }

    @Test
    void dorefaExplainsABadBitCount() {
        DorefaQuantizerFactory factory = new DorefaQuantizerFactory();
        for (String bad : new String[] {"0", "9", "02", "x", ""}) {
            assertThatThrownBy(() -> factory.create(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("'dorefa:" + bad + "' names no bit count: write dorefa:K with K from 1 to 8, e.g."
                            + " dorefa:2.");
        }
    }

    @Test
    void lsqIsSignedKBitIntegersWithALearnedStep() {
        Quantizer lsq = new LsqQuantizerFactory().create("4");
        assertThat(lsq).isExactlyInstanceOf(AlphabetQuantizer.class);
        assertThat(lsq.spec()).isEqualTo("lsq:4@learned/tensor");
        assertThat(lsq.learnsScale()).isTrue();
        assertThat(lsq.alphabet().orElseThrow().toSpec()).isEqualTo("-8,-7,-6,-5,-4,-3,-2,-1,0,1,2,3,4,5,6,7");
        assertThat(new LsqQuantizerFactory().create("2").alphabet()).contains(Alphabet.of(-2, -1, 0, 1));
        assertThat(new LsqQuantizerFactory().create("8").levels()).isEqualTo(256);
        assertThatThrownBy(() -> new LsqQuantizerFactory().create("1"))
                .hasMessage("'lsq:1' names no bit count: write lsq:K with K from 2 to 8, e.g. lsq:4.");
    }

    @Test
    void lsqRoundsOntoItsIntegersAtTheStepAndClipsBeyondThem() {
        Quantizer lsq = new LsqQuantizerFactory().create("2");
        // At s = 0.5: W / s = 1.8 -0.2 0.6 -1.2 1 -3.6 0.1 2.4 -> 1 0 1 -1 1 -2 0 1 (clipped to -2..1).
        assertCloseTo(lsq.quantize(vector(W), manager.create(0.5f)), 0.5f, 0, 0.5f, -0.5f, 0.5f, -1, 0, 0.5f);
    }

    @Nested
    class Dorefa1 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new DorefaQuantizerFactory().create("1");
        }
    }

    @Nested
    class Dorefa2 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new DorefaQuantizerFactory().create("2");
        }
    }

    @Nested
    class Dorefa3 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new DorefaQuantizerFactory().create("3");
        }
    }

    @Nested
    class Lsq2 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new LsqQuantizerFactory().create("2");
        }
    }

    @Nested
    class Lsq4 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new LsqQuantizerFactory().create("4");
        }
    }
}
