package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A ternary scheme with a learned threshold, written against the SPI alone: a weight is +-s beyond the
 * trained threshold t and 0 inside it, s = mean|W|. A threshold moves no weight continuously, so its
 * gradient is a surrogate the scheme chooses (here a triangle of width s around t, as soft-threshold
 * relaxations use); the SPI lets a scheme write exactly that beside Q(W). The threshold is stored in
 * checkpoints (a layer parameter) and in the packed file (as its tensor's extra), and eval reproduces the
 * model from the codes alone. It passes the whole contract kit.
 */
class LearnedThresholdContractTest extends QuantizerContract {

    @Override
    protected Quantizer quantizer() {
        return new LearnedThreshold();
    }

    @Test
    void weightsBeyondTheTrainedThresholdTakeTheScaleAndTheThresholdGetsTheSurrogateGradient() {
        LearnedThreshold quantizer = new LearnedThreshold();
        NDArray weights =
                manager.create(new float[] {0.9f, -0.1f, 0.3f, -0.6f, 0.5f, -1.8f, 0.05f, 1.2f}, new Shape(2, 4));
        // mean |W| = 0.68125; the threshold starts at half of it
        assertThat(quantizer.initialValues(weights).singletonOrThrow().getFloat())
                .isEqualTo(0.68125f / 2);
        NDArray threshold = manager.create(new float[] {0.4f});
        threshold.setRequiresGradient(true);
        NDArray shadow = weights.duplicate();
        shadow.setRequiresGradient(true);
        try (GradientCollector tape = manager.getEngine().newGradientCollector()) {
            NDArray quantized = quantizer.quantizeTrained(
                    shadow, new NDList(threshold), GradientEstimator.STE, QuantizationContext.EVALUATION);
            assertThat(quantized.toFloatArray())
                    .containsExactly(0.68125f, 0, 0, -0.68125f, 0.68125f, -0.68125f, 0, 0.68125f);
            tape.backward(quantized.sum());
        }
        // d/dt of s sign(W) 1{|W| > t}, relaxed: -s sign(W) max(0, 1 - ||W| - t| / s), summed over the weights
        float s = 0.68125f;
        float expected = 0;
        for (float w : weights.toFloatArray()) {
            expected += -s * Math.signum(w) * Math.max(0, 1 - Math.abs(Math.abs(w) - 0.4f) / s);
        }
        assertThat(threshold.getGradient().getFloat()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(quantizer.codes(weights, new NDList(threshold)).toFloatArray())
                .containsExactly(2, 1, 1, 0, 2, 0, 1, 2);
    }

    /** Ternary at s = mean|W|, with a trained threshold t started at s / 2 (the nearest-level threshold). */
    static final class LearnedThreshold implements LearnedQuantizer {

        private static final Alphabet TERNARY = Alphabet.of(-1, 0, 1);
        private final AlphabetCodes ternary = new AlphabetCodes(TERNARY);

        @Override
        public String id() {
            return "test-learned-threshold";
        }

        @Override
        public String description() {
            return "ternary at mean|W| with a trained threshold";
        }

        @Override
        public Optional<Alphabet> alphabet() {
            return Optional.of(TERNARY);
        }

        @Override
        public String scaleRule() {
            return "absmean/tensor";
        }

        @Override
        public NDArray scale(NDArray weights) {
            return ScaleRules.parse("absmean/tensor").scale(weights, TERNARY);
        }

        /** Untrained (threshold s / 2), the codes are the nearest levels. */
        @Override
        public NDArray codes(NDArray weights, NDArray scale) {
            return ternary.codesOverwriting(weights.div(scale));
        }

        @Override
        public NDArray values(NDArray codes) {
            return ternary.values(codes);
        }

        @Override
        public List<TrainedValue> trainedValues(Shape weightShape) {
            return List.of(new TrainedValue("threshold", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDArray weights) {
            return new NDList(scale(weights).div(2f).reshape(1));
        }

        /** 2 beyond +t, 0 below -t, 1 between. */
        @Override
        public NDArray codes(NDArray weights, NDList trained) {
            NDArray threshold = trained.singletonOrThrow();
            return weights.gt(threshold)
                    .toType(DataType.FLOAT32, false)
                    .sub(weights.lt(threshold.neg()).toType(DataType.FLOAT32, false))
                    .add(1f);
        }

        /**
         * {@code s * values(codes)} exactly, plus the straight-through path to W and the threshold's surrogate
         * {@code (t - sg(t)) * h}, h = -s sign(W) max(0, 1 - ||W| - t| / s): both exactly zero in value.
         */
        @Override
        public NDArray quantizeTrained(
                NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            NDArray detached = shadow.stopGradient();
            NDArray threshold = trained.singletonOrThrow();
            NDArray fixedThreshold = threshold.stopGradient();
            NDArray scale = scale(detached);
            NDArray value = values(codes(detached, new NDList(fixedThreshold))).mul(scale);
            NDArray kernel = detached.abs()
                    .sub(fixedThreshold)
                    .abs()
                    .div(scale)
                    .neg()
                    .add(1f)
                    .maximum(0f);
            NDArray surrogate = detached.sign().neg().mul(scale).mul(kernel);
            return shadow.sub(detached)
                    .add(threshold.sub(fixedThreshold).mul(surrogate))
                    .add(value);
        }

        /** mean |W|: only the threshold is trained. */
        @Override
        public NDArray packedScale(NDArray weights, NDList trained) {
            return scale(weights);
        }

        @Override
        public double[] packedAlphabet(NDList trained) {
            return TERNARY.values();
        }
    }
}
