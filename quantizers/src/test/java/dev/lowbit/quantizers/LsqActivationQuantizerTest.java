package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import org.junit.jupiter.api.Test;

class LsqActivationQuantizerTest extends EngineTest {

    /** K = 3 (levels -4..3) at s = 0.5: x / s = -6 -1.2 0.4 1.4 2.4 4. */
    private static final float[] X = {-3f, -0.6f, 0.2f, 0.7f, 1.2f, 2f};

    private final ActivationQuantizer lsq = new LsqActivationQuantizer().configure(":3");

    @Test
    void trainsOneStepStartingAtTwoOverRootQp() {
        ActivationQuantizer defaults = new LsqActivationQuantizer();
        assertThat(defaults.spec()).isEqualTo("lsq:4");
        assertThat(defaults.trainedValues()).containsExactly(new TrainedValue("step", new Shape(1)));
        // 2 mean|x| / sqrt(Qp) with mean|x| = 1 and Qp = 7.
        assertThat(defaults.initialValues(manager).singletonOrThrow().getFloat(0))
                .isEqualTo((float) (2 / Math.sqrt(7)));
        assertThat(lsq.bits()).isEqualTo(3.0);
    }

    @Test
    void roundsOntoSignedLevelsTimesTheStepAndClipsBeyondThem() {
        NDArray scale = lsq.scale(vector(X), new NDList(scalar(0.5f)));
        assertCloseTo(lsq.quantize(vector(X), scale, QuantizationContext.EVALUATION), -2f, -0.5f, 0f, 0.5f, 1f, 1.5f);
        // (2 x / s + 1) / 7: the levels -4 and 3 at -1 and +1.
        assertCloseTo(lsq.normalized(vector(-2f, 1.5f), scale), -1f, 1f);
    }

    @Test
    void theStepGetsLsqsScaledGradientAndTheInputTheClippedOne() {
        NDArray x = vector(X);
        NDArray step = scalar(0.5f);
        x.setRequiresGradient(true);
        step.setRequiresGradient(true);
        NDArray upstream = vector(1, 2, 3, 4, 5, 6);
        NDArray quantized;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            quantized = lsq.quantizeTrained(x, new NDList(step), GradientEstimator.STE, new GivenDraws());
            tape.backward(quantized.mul(upstream).sum());
        }
        NDArray plain = lsq.quantize(x.stopGradient(), lsq.scale(x, new NDList(step)), QuantizationContext.EVALUATION);
        assertThat(quantized.toFloatArray())
                .as("the forward value, bit for bit")
                .containsExactly(plain.toFloatArray());
        assertCloseTo(x.getGradient(), 0, 2, 3, 4, 5, 0);
        // dQ/ds: -Qn = -4 below, round(v) - v inside (0.2 -0.4 -0.4 -0.4), Qp = 3 above, times 1/sqrt(6 * 3).
        double expected = (-4 * 1 + 0.2 * 2 - 0.4 * 3 - 0.4 * 4 - 0.4 * 5 + 3 * 6) / Math.sqrt(18);
        assertThat(step.getGradient().getFloat(0)).isCloseTo((float) expected, within(1e-5f));
    }
}
