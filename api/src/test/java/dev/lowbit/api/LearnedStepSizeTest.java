package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** LSQ as a {@link dev.lowbit.api.spi.LearnedQuantizer}: an alphabet quantizer under the learned rule. */
class LearnedStepSizeTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(19);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static AlphabetQuantizer k5(String setting) {
        return new AlphabetQuantizer("test", "test", Alphabet.symmetricWithZero(5), ScaleRules.parse(setting));
    }

    @Test
    void trainsOneScaleOfTheShapeTheLayerHasAlwaysGivenIt() {
        for (String setting : new String[] {"learned/channel", "learned/tensor", "learned/group:8"}) {
            for (long[] shape : new long[][] {{4, 6}, {6, 3, 5, 5}, {12, 30}}) {
                AlphabetQuantizer quantizer = k5(setting);
                QuantizedWeight weight = new QuantizedWeight(quantizer);
                weight.setShape(new Shape(shape));

                List<TrainedValue> trained = quantizer.trainedValues(new Shape(shape));

                assertThat(trained)
                        .as(setting)
                        .containsExactly(new TrainedValue(
                                "scale", weight.learnedScale().orElseThrow().getShape()));
            }
        }
        assertThat(k5("mse/channel").trainedValues(new Shape(4, 6))).isEmpty();
        assertThat(k5("mse/channel").initialValues(manager.ones(new Shape(4, 6))))
                .isEmpty();
    }

    @Test
    void startsAtTheRulesScaleAndPacksItsCodesAndTrainedScale() {
        AlphabetQuantizer quantizer = k5("learned/channel");
        NDArray w = manager.randomNormal(0, 0.05f, new Shape(4, 6), DataType.FLOAT32);

        NDList initial = quantizer.initialValues(w);

        assertThat(initial).hasSize(1);
        assertThat(initial.get(0).getShape()).isEqualTo(new Shape(4, 1));
        assertThat(initial.get(0).toFloatArray())
                .containsExactly(quantizer.scale(w).toFloatArray());
        NDArray trained = initial.get(0).mul(1.5f);
        assertThat(quantizer.codes(w, new NDList(trained)).toFloatArray())
                .containsExactly(quantizer.codes(w, trained).toFloatArray());
        assertThat(quantizer.packedScale(new NDList(trained))).isSameAs(trained);
        assertThat(quantizer.packedAlphabet(new NDList(trained))).containsExactly(-2, -1, 0, 1, 2);
    }

    /** The forward value and both gradients, bit for bit, against the formula training has used so far. */
    @Test
    void quantizeTrainedIsStraightThroughsLsqBitForBitValuesAndGradients() {
        for (String setting : new String[] {"learned/channel", "learned/tensor"}) {
            AlphabetQuantizer quantizer = k5(setting);
            NDArray w = manager.randomNormal(0, 0.05f, new Shape(6, 3, 5, 5), DataType.FLOAT32);
            NDArray s = quantizer.initialValues(w).get(0).mul(0.8f);
            NDArray upstream = manager.randomNormal(w.getShape());
            NDArray[] before =
                    lsq(w, s, upstream, (shadow, scale) -> StraightThrough.quantize(shadow, scale, quantizer, manager));
            NDArray[] now = lsq(
                    w,
                    s,
                    upstream,
                    (shadow, scale) -> quantizer.quantizeTrained(
                            shadow, new NDList(scale), GradientEstimator.STE, QuantizationContext.EVALUATION));
            for (int i = 0; i < 3; i++) {
                assertThat(now[i].toFloatArray())
                        .as("%s: %s", setting, List.of("value", "dW", "ds").get(i))
                        .containsExactly(before[i].toFloatArray());
            }
            assertThat(before[2].abs().sum().getFloat()).isPositive();
        }
    }

    private interface Forward {
        NDArray apply(NDArray shadow, NDArray scale);
    }

    /** The forward value and the gradients of fresh copies of W and s under the upstream gradient. */
    private static NDArray[] lsq(NDArray w, NDArray s, NDArray upstream, Forward forward) {
        NDArray shadow = w.duplicate();
        NDArray scale = s.duplicate();
        shadow.setRequiresGradient(true);
        scale.setRequiresGradient(true);
        NDArray value;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            value = forward.apply(shadow, scale);
            tape.backward(value.mul(upstream).sum());
        }
        return new NDArray[] {
            value.stopGradient(),
            shadow.getGradient().duplicate(),
            scale.getGradient().duplicate()
        };
    }

    @Test
    void leavesOnlyItsResultInTheShadowWeightsManager() {
        AlphabetQuantizer quantizer = k5("learned/channel");
        try (NDManager parameters = manager.newSubManager()) {
            NDArray shadow = parameters.randomNormal(0, 0.05f, new Shape(8, 16), DataType.FLOAT32);
            NDArray scale = quantizer.initialValues(shadow).get(0);
            scale.attach(parameters);
            shadow.setRequiresGradient(true);
            scale.setRequiresGradient(true);
            int arrays = parameters.getManagedArrays().size();
            try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
                NDArray value = quantizer.quantizeTrained(
                        shadow, new NDList(scale), GradientEstimator.STE, QuantizationContext.EVALUATION);
                assertThat(parameters.getManagedArrays()).hasSize(arrays + 1).contains(value);
                // The intermediates are closed; the tape still holds what the backward pass needs.
                tape.backward(value.sum());
            }
            assertThat(scale.getGradient().abs().sum().getFloat()).isPositive();
        }
    }

    @Test
    void perGroupTheTrainedColumnOfScalesDecodesEachGroupAndGetsAGradient() {
        AlphabetQuantizer quantizer = k5("learned/group:8");
        NDArray shadow = manager.randomNormal(0, 0.05f, new Shape(12, 30), DataType.FLOAT32);
        NDArray scale = quantizer.initialValues(shadow).get(0);
        assertThat(scale.getShape()).isEqualTo(new Shape(48, 1));
        shadow.setRequiresGradient(true);
        scale.setRequiresGradient(true);
        NDArray value;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            value = quantizer.quantizeTrained(
                    shadow, new NDList(scale), GradientEstimator.STE, QuantizationContext.EVALUATION);
            tape.backward(value.sum());
        }
        NDArray compact = scale.reshape(12, 4);
        assertThat(value.toFloatArray())
                .containsExactly(quantizer
                        .decode(quantizer.codes(shadow, compact), compact)
                        .toFloatArray());
        assertThat(scale.getGradient().abs().sum().getFloat()).isPositive();
    }

    @Test
    void refusesToTrainValuesItDoesNotHave() {
        NDArray w = manager.ones(new Shape(2, 2));
        assertThatThrownBy(() -> k5("mse/tensor")
                        .quantizeTrained(w, new NDList(), GradientEstimator.STE, QuantizationContext.EVALUATION))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("Quantizer 'test@mse/tensor' trains 0 values, got 0; call quantizeTrained only with its"
                        + " trainedValues.");
    }
}
