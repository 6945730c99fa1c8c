package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.testkit.QuantizerContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BinaryConnectQuantizerTest extends EngineTest {

    private NDArray weights() {
        return matrix(new float[] {0.9f, -0.1f, 0.3f, -0.6f}, new float[] {0.5f, -1.8f, 0.05f, 1.2f});
    }

    @Test
    void isTheSignOfEveryWeightTimesTheMeanMagnitude() {
        BinaryConnectQuantizer binaryConnect = new BinaryConnectQuantizer();
        assertThat(binaryConnect.spec()).isEqualTo("binaryconnect@absmean/tensor");
        assertThat(binaryConnect.alphabet()).contains(Alphabet.of(-1, 1));
        // mean |W| = (0.9 + 0.1 + 0.3 + 0.6 + 0.5 + 1.8 + 0.05 + 1.2) / 8 = 0.68125
        assertThat(binaryConnect.scale(weights()).getFloat()).isEqualTo(0.68125f);
        assertThat(binaryConnect.quantize(weights()).toFloatArray())
                .containsExactly(0.68125f, -0.68125f, 0.68125f, -0.68125f, 0.68125f, -0.68125f, 0.68125f, 0.68125f);
    }

    @Test
    void trainsWithTheClippedEstimatorWhoseWindowIsTheScale() {
        BinaryConnectQuantizer binaryConnect = new BinaryConnectQuantizer();
        assertThat(binaryConnect.estimator().id()).isEqualTo("clipped");
        NDArray u = binaryConnect.normalized(weights(), binaryConnect.scale(weights()));
        assertCloseTo(
                u,
                0.9f / 0.68125f,
                -0.1f / 0.68125f,
                0.3f / 0.68125f,
                -0.6f / 0.68125f,
                0.5f / 0.68125f,
                -1.8f / 0.68125f,
                0.05f / 0.68125f,
                1.2f / 0.68125f);
        // The weights beyond s = 0.68125 get no gradient; under absmax (1.8) every weight is inside the window.
        NDArray derivative = binaryConnect.estimator().derivative(u);
        assertThat(derivative.toFloatArray()).containsExactly(0, 1, 1, 1, 1, 0, 1, 0);
        Quantizer absmax = binaryConnect.withScaleRule(ScaleRules.parse("absmax"));
        assertThat(absmax.scale(weights()).getFloat()).isEqualTo(1.8f);
        NDArray wide = absmax.estimator().derivative(absmax.normalized(weights(), absmax.scale(weights())));
        assertThat(wide.toFloatArray()).containsExactly(1, 1, 1, 1, 1, 1, 1, 1);
    }

    @Test
    void stochasticRoundsUpWhereTheDrawIsBelowTheHardSigmoid() {
        // At s = 1, p = clip((W + 1) / 2, 0, 1) = 0.95 0.45 0.65 0.2 / 0.75 0 0.525 1.
        GivenDraws draws = new GivenDraws(0.94f, 0.46f, 0.1f, 0.2f, 0.8f, 0f, 0.52f, 0.999f);
        NDArray quantized = new BinaryConnectStochasticQuantizer().quantize(weights(), manager.create(1f), draws);
        assertThat(quantized.toFloatArray()).containsExactly(1, -1, 1, -1, -1, -1, 1, 1);
        assertThat(draws.calls()).isOne();
    }

    @Test
    void stochasticScalesTheLevelsAndItsProbabilities() {
        // At s = 2, p = clip((W / 2 + 1) / 2, 0, 1) = 0.725 0.475 0.575 0.35 / 0.625 0.05 0.5125 0.8.
        GivenDraws draws = new GivenDraws(0.72f, 0.48f, 0.58f, 0.34f, 0.63f, 0.04f, 0.5f, 0.81f);
        NDArray quantized = new BinaryConnectStochasticQuantizer().quantize(weights(), manager.create(2f), draws);
        assertThat(quantized.toFloatArray()).containsExactly(2, -2, -2, 2, -2, 2, 2, -2);
    }

    @Test
    void stochasticIsUnbiasedOverEvenlySpreadDraws() {
        int n = 1000;
        float[] spread = new float[n];
        for (int i = 0; i < n; i++) {
            spread[i] = (i + 0.5f) / n;
        }
        for (float w : new float[] {0.5f, -0.3f, 0.9f}) {
            NDArray weights = manager.full(new ai.djl.ndarray.types.Shape(n), w);
            float[] quantized = new BinaryConnectStochasticQuantizer()
                    .quantize(weights, manager.create(1f), new GivenDraws(spread))
                    .toFloatArray();
            long up = 0;
            for (float q : quantized) {
                up += q > 0 ? 1 : 0;
            }
            // p = (w + 1) / 2 of the draws lie below p: the mean of the levels is w itself.
            assertThat(up).as("+1 for w = %s", w).isEqualTo(Math.round((w + 1) / 2 * n));
        }
    }

    @Test
    void stochasticIsTheNearestInEvaluationAndDrawsNothing() {
        BinaryConnectStochasticQuantizer stochastic = new BinaryConnectStochasticQuantizer();
        NDArray scale = stochastic.scale(weights());
        assertThat(stochastic
                        .quantize(weights(), scale, QuantizationContext.EVALUATION)
                        .toFloatArray())
                .containsExactly(
                        new BinaryConnectQuantizer().quantize(weights()).toFloatArray());
        assertThat(stochastic.spec()).isEqualTo("binaryconnect-stochastic@absmean/tensor");
        assertThat(stochastic.estimator().id()).isEqualTo("clipped");
    }

    @Nested
    class Deterministic extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new BinaryConnectQuantizer();
        }
    }

    @Nested
    class Stochastic extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new BinaryConnectStochasticQuantizer();
        }
    }
}
