package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import org.junit.jupiter.api.Test;

class PactActivationQuantizerTest extends EngineTest {

    /** At alpha = 1 with K = 2: s = 1/3; x / s = -1.5 0 0.9 1.8 / 2.7 3 5.1 2.1. */
    private NDArray input() {
        return matrix(new float[] {-0.5f, 0f, 0.3f, 0.6f}, new float[] {0.9f, 1f, 1.7f, 0.7f});
    }

    private final ActivationQuantizer pact = new PactActivationQuantizer().configure(":2");

    @Test
    void trainsOneClipStartingAtTen() {
        ActivationQuantizer defaults = new PactActivationQuantizer();
        assertThat(defaults.spec()).isEqualTo("pact:4");
        assertThat(defaults.bits()).isEqualTo(4.0);
        assertThat(defaults.trainedValues()).containsExactly(new TrainedValue("clip", new Shape(1)));
        NDArray initial = defaults.initialValues(manager).singletonOrThrow();
        assertThat(initial.getShape()).isEqualTo(new Shape(1));
        assertThat(initial.getFloat(0)).isEqualTo(10f);
        assertThat(defaults.estimator().id()).isEqualTo("clipped");
    }

    @Test
    void roundsTheClippedInputOntoAlphaOverTwoToTheKMinusOneSteps() {
        NDList trained = new NDList(scalar(1f));
        NDArray scale = pact.scale(input(), trained);
        assertThat(scale.getFloat(0)).isEqualTo(1f / 3);
        assertCloseTo(
                pact.quantize(input(), scale, QuantizationContext.EVALUATION), 0, 0, 1 / 3f, 2 / 3f, 1, 1, 1, 2 / 3f);
    }

    @Test
    void theInputGetsTheGradientBelowAlphaAndAlphaTheGradientAboveIt() {
        NDArray x = input();
        NDArray alpha = scalar(1f);
        x.setRequiresGradient(true);
        alpha.setRequiresGradient(true);
        NDArray upstream = matrix(new float[] {1, 2, 3, 4}, new float[] {5, 6, 7, 8});
        NDArray quantized;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            quantized = pact.quantizeTrained(x, new NDList(alpha), pact.estimator(), new GivenDraws());
            tape.backward(quantized.mul(upstream).sum());
        }
        NDArray plain =
                pact.quantize(x.stopGradient(), pact.scale(x, new NDList(alpha)), QuantizationContext.EVALUATION);
        assertThat(quantized.toFloatArray())
                .as("the forward value, bit for bit")
                .containsExactly(plain.toFloatArray());
        // dQ/dx = 1 for 0 <= x < alpha: not at -0.5, 1 (= alpha) or 1.7.
        assertThat(x.getGradient().toFloatArray()).containsExactly(0, 2, 3, 4, 5, 0, 0, 8);
        // dQ/dalpha = 1 where x >= alpha: at 1 and 1.7.
        assertThat(alpha.getGradient().toFloatArray()).containsExactly(13);
    }

    @Test
    void anotherEstimatorShapesTheInputGradientInsideTheWindowOnly() {
        NDArray x = input();
        NDArray alpha = scalar(1f);
        x.setRequiresGradient(true);
        alpha.setRequiresGradient(true);
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray quantized = pact.quantizeTrained(x, new NDList(alpha), new ApproxSignEstimator(), new GivenDraws());
            tape.backward(quantized.sum());
        }
        // u = 2x - 1 = -2 -1 -0.4 0.2 / 0.8 1 2.4 0.4: max(0, 2 - 2|u|) below alpha, 0 from alpha on.
        assertCloseTo(x.getGradient(), 0, 0, 1.2f, 1.6f, 0.4f, 0, 0, 1.2f);
        assertThat(alpha.getGradient().toFloatArray()).containsExactly(2);
    }

    @Test
    void explainsABadBitCount() {
        assertThatThrownBy(() -> new PactActivationQuantizer().configure(":9"))
                .hasMessage("'pact:9' names no bit count: write pact:K with K from 2 to 8, e.g. pact:4.");
        assertThatThrownBy(() -> new PactActivationQuantizer().configure("@absmax"))
                .hasMessage("Activation quantizer 'pact' takes ':K' (bits), got '@absmax'; e.g. pact:4.");
        assertThat(new PactActivationQuantizer().configure(":8").spec()).isEqualTo("pact:8");
    }
}
