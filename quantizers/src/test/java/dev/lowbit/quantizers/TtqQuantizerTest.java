package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import dev.lowbit.testkit.QuantizerContract;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class TtqQuantizerTest extends EngineTest {

    private final TtqQuantizer ttq = new TtqQuantizer();

    /** max|W| = 1.8, delta = 0.09: Ip = {0.9, 0.3, 0.5, 1.2}, In = {-0.1, -0.6, -1.8}, I0 = {0.05}. */
    private NDArray weights() {
        return matrix(new float[] {0.9f, -0.1f, 0.3f, -0.6f}, new float[] {0.5f, -1.8f, 0.05f, 1.2f});
    }

    @Test
    void trainsTwoScalarMagnitudes() {
        assertThat(ttq.trainedValues(new Shape(2, 4)))
                .containsExactly(new TrainedValue("wp", new Shape(1)), new TrainedValue("wn", new Shape(1)));
        assertThat(ttq.spec()).isEqualTo("ttq@ttq/tensor");
    }

    @Test
    void startsEachMagnitudeAtTheMeanMagnitudeOfItsRegion() {
        NDList initial = ttq.initialValues(weights());
        assertThat(initial.get(0).getShape()).isEqualTo(new Shape(1));
        assertThat(initial.get(0).getFloat(0)).isCloseTo(2.9f / 4, ROUND_OFF);
        assertThat(initial.get(1).getFloat(0)).isCloseTo(2.5f / 3, ROUND_OFF);
    }

    @Test
    void codesMinusZeroPlusAsZeroOneTwoBeyondFiveHundredthsOfTheLargestWeight() {
        NDList trained = new NDList(scalar(2f), scalar(0.5f));
        assertThat(ttq.codes(weights(), trained).toFloatArray()).containsExactly(2, 0, 2, 0, 2, 0, 1, 2);
        assertThat(ttq.packedAlphabet(trained)).containsExactly(-0.5, 0, 2);
        NDArray packedScale = ttq.packedScale(trained);
        assertThat(packedScale.getShape()).isEqualTo(new Shape());
        assertThat(packedScale.getFloat()).isEqualTo(1f);
    }

    @Test
    void theForwardValueIsWpAboveMinusWnBelowAndEqualsThePackedFormBitForBit() {
        NDList trained = new NDList(scalar(0.7f), scalar(0.3f));
        NDArray quantized =
                ttq.quantizeTrained(weights(), trained, GradientEstimator.STE, QuantizationContext.EVALUATION);
        assertThat(quantized.toFloatArray()).containsExactly(0.7f, -0.3f, 0.7f, -0.3f, 0.7f, -0.3f, 0f, 0.7f);
        double[] alphabet = ttq.packedAlphabet(trained);
        float[] codes = ttq.codes(weights(), trained).toFloatArray();
        float scale = ttq.packedScale(trained).getFloat();
        float[] packed = new float[codes.length];
        for (int i = 0; i < codes.length; i++) {
            packed[i] = (float) alphabet[(int) codes[i]] * scale;
        }
        assertThat(quantized.toFloatArray()).containsExactly(packed);
    }

    @Test
    void wpAndWnGetTheSumsOfTheirRegionsAndTheWeightsTheScaledGradient() {
        NDArray shadow = weights();
        NDArray wp = scalar(2f);
        NDArray wn = scalar(0.5f);
        shadow.setRequiresGradient(true);
        wp.setRequiresGradient(true);
        wn.setRequiresGradient(true);
        NDArray upstream = matrix(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8});
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray quantized =
                    ttq.quantizeTrained(shadow, new NDList(wp, wn), GradientEstimator.STE, new GivenDraws());
            assertThat(quantized.toFloatArray()).containsExactly(2, -0.5f, 2, -0.5f, 2, -0.5f, 0, 2);
            tape.backward(quantized.mul(upstream).sum());
        }
        // dWp = 1 + 3 + 5 + 8 over Ip; dWn = -(2 + 4 + 6) over In.
        assertThat(wp.getGradient().toFloatArray()).containsExactly(17);
        assertThat(wn.getGradient().toFloatArray()).containsExactly(-12);
        // dW = Wp g on Ip, g on I0, Wn g on In.
        assertThat(shadow.getGradient().toFloatArray()).containsExactly(2, 1, 6, 2, 10, 3, 7, 16);
    }

    @Test
    void leavesOnlyItsResultInTheShadowWeightsManager() {
        try (NDManager parameters = manager.newSubManager()) {
            NDArray shadow = parameters.create(weights().toFloatArray(), new Shape(2, 4));
            NDArray wp = parameters.create(new float[] {2f}, new Shape(1));
            NDArray wn = parameters.create(new float[] {0.5f}, new Shape(1));
            int before = parameters.getManagedArrays().size();
            NDArray quantized = ttq.quantizeTrained(
                    shadow, new NDList(wp, wn), GradientEstimator.STE, QuantizationContext.EVALUATION);
            assertThat(parameters.getManagedArrays()).hasSize(before + 1).contains(quantized);
        }
    }

    @Test
    void itsPlainMethodsGiveTheNominalTernaryPatternAtScaleOne() {
        NDArray scale = ttq.scale(weights());
        assertThat(scale.getShape()).isEqualTo(new Shape());
        assertThat(scale.getFloat()).isEqualTo(1f);
        assertThat(ttq.quantize(weights()).toFloatArray()).containsExactly(1, -1, 1, -1, 1, -1, 0, 1);
    }

    @Nested
    class Contract extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new TtqQuantizer();
        }
    }
}
