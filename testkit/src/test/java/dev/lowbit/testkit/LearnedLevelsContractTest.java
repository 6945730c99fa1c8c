package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * A scheme with learned alphabet values, as LQ-Nets (Zhang et al. 2018) trains them, written against the SPI
 * alone: the k levels of every tensor are one trained value, the codes are each weight's nearest learned
 * level, and the packed file stores the learned levels as that tensor's alphabet. It passes the whole
 * contract kit, which shows the SPI expresses trained alphabets end to end (training, gradients, packing,
 * evaluation from the packed form).
 */
class LearnedLevelsContractTest extends QuantizerContract {

    @Override
    protected Quantizer quantizer() {
        return new LearnedLevels();
    }

    @Test
    void theLevelsStartAtTheNominalAlphabetTimesMeanMagnitudeAndPackAsTheTensorsAlphabet() {
        LearnedLevels quantizer = new LearnedLevels();
        NDArray weights =
                manager.create(new float[] {0.9f, -0.1f, 0.3f, -0.6f, 0.5f, -1.8f, 0.05f, 1.2f}, new Shape(2, 4));
        NDList levels = quantizer.initialValues(weights);
        // mean |W| = 0.68125: levels (-1.5, -0.5, 0.5, 1.5) * 0.68125
        assertThat(levels.singletonOrThrow().toFloatArray())
                .containsExactly(-1.5f * 0.68125f, -0.5f * 0.68125f, 0.5f * 0.68125f, 1.5f * 0.68125f);
        NDList trained = new NDList(manager.create(new float[] {-2f, -0.25f, 0.25f, 1f}));
        assertThat(quantizer.codes(weights, trained).toFloatArray()).containsExactly(3, 1, 2, 1, 2, 0, 2, 3);
        assertThat(quantizer.packedAlphabet(trained)).containsExactly(-2, -0.25, 0.25, 1);
        assertThat(quantizer
                        .quantizeTrained(weights, trained, GradientEstimator.STE, QuantizationContext.EVALUATION)
                        .toFloatArray())
                .containsExactly(1f, -0.25f, 0.25f, -0.25f, 0.25f, -2f, 0.25f, 1f);
    }

    /** k = 4 learned levels per tensor, started at {-1.5, -0.5, 0.5, 1.5} times mean|W|. */
    static final class LearnedLevels implements LearnedQuantizer {

        private static final Alphabet NOMINAL = Alphabet.of(-1.5, -0.5, 0.5, 1.5);
        private final AlphabetCodes nominal = new AlphabetCodes(NOMINAL);

        @Override
        public String id() {
            return "test-learned-levels";
        }

        @Override
        public String description() {
            return "4 learned levels per tensor (LQ-Nets style)";
        }

        @Override
        public Optional<Alphabet> alphabet() {
            return Optional.of(NOMINAL);
        }

        @Override
        public String scaleRule() {
            return "absmean/tensor";
        }

        /** Untrained, the levels are the nominal ones at s = mean|W|. */
        @Override
        public NDArray scale(NDArray weights) {
            return ScaleRules.parse("absmean/tensor").scale(weights, NOMINAL);
        }

        @Override
        public NDArray codes(NDArray weights, NDArray scale) {
            return nominal.codesOverwriting(weights.div(scale));
        }

        @Override
        public NDArray values(NDArray codes) {
            return nominal.values(codes);
        }

        @Override
        public List<TrainedValue> trainedValues(Shape weightShape) {
            return List.of(new TrainedValue("levels", new Shape(NOMINAL.levels())));
        }

        @Override
        public NDList initialValues(NDArray weights) {
            float[] values = new float[NOMINAL.levels()];
            float scale = scale(weights).getFloat();
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) NOMINAL.value(i) * scale;
            }
            return new NDList(weights.getManager().create(values));
        }

        /** The index of every weight's nearest learned level (the first on a tie). */
        @Override
        public NDArray codes(NDArray weights, NDList trained) {
            NDArray levels = trained.singletonOrThrow();
            NDArray distance = weights.expandDims(-1)
                    .sub(levels.reshape(ones(weights.getShape().dimension(), levels)))
                    .abs();
            return distance.argMin(-1).toType(DataType.FLOAT32, false);
        }

        /**
         * The chosen levels, on the tape of the levels (each level gets the gradient of the weights that
         * chose it), plus the straight-through path to the weights: exactly {@code levels[codes]}.
         */
        @Override
        public NDArray quantizeTrained(
                NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            NDArray detached = shadow.stopGradient();
            NDArray levels = trained.singletonOrThrow();
            NDArray codes = codes(detached, new NDList(levels.stopGradient()));
            NDArray chosen = null;
            for (int j = 0; j < NOMINAL.levels(); j++) {
                NDArray term = codes.eq(j).toType(DataType.FLOAT32, false).mul(levels.get(j));
                chosen = chosen == null ? term : chosen.add(term);
            }
            return shadow.sub(detached).add(chosen);
        }

        @Override
        public NDArray packedScale(NDList trained) {
            return trained.singletonOrThrow().getManager().create(1f);
        }

        @Override
        public double[] packedAlphabet(NDList trained) {
            float[] levels = trained.singletonOrThrow().toFloatArray();
            double[] alphabet = new double[levels.length];
            for (int i = 0; i < levels.length; i++) {
                alphabet[i] = levels[i];
            }
            return alphabet;
        }

        private static Shape ones(int rank, NDArray levels) {
            long[] shape = new long[rank + 1];
            java.util.Arrays.fill(shape, 1);
            shape[rank] = levels.size();
            return new Shape(shape);
        }
    }
}
