package dev.lowbit.testkit;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.AlphabetCodes;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;

/**
 * Small schemes written against the SPI as a plugin would write them: what the contract kit checks
 * itself on, and what {@link ArchitectureContract} trains an architecture with.
 */
final class ContractFixtures {

    private ContractFixtures() {}

    /** BNN's clipped straight-through estimator: 1 where |u| <= 1, else 0. */
    static class Clipped implements GradientEstimator {
        @Override
        public String id() {
            return "test-clipped";
        }

        @Override
        public String description() {
            return "clipped straight-through, for tests";
        }

        @Override
        public NDArray derivative(NDArray normalized) {
            return normalized.abs().lte(1f).toType(DataType.FLOAT32, false);
        }
    }

    /** Signed 8-bit activations at absmax per tensor: round(x 127 / max|x|) max|x| / 127. */
    static class AbsMaxInt8 implements ActivationQuantizer {
        private static final AlphabetCodes LEVELS = new AlphabetCodes(Alphabet.symmetricWithZero(255));

        @Override
        public String id() {
            return "test-int8";
        }

        @Override
        public String description() {
            return "8-bit absmax per tensor, for tests";
        }

        @Override
        public String spec() {
            return "test-int8";
        }

        @Override
        public double bits() {
            return 8;
        }

        @Override
        public NDArray scale(NDArray input, NDList trained) {
            return input.abs().max().maximum(1e-5f).div(127f);
        }

        @Override
        public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
            return LEVELS.snapOverwriting(input.div(scale)).muli(scale);
        }

        @Override
        public NDArray normalized(NDArray input, NDArray scale) {
            return input.div(scale).divi(127f);
        }
    }

    /**
     * Signed 4-bit activations under a trained clip alpha (a symmetric PACT): s = alpha / 7,
     * Qa(x) = round(clip(x / s, -7, 7)) s; dQa/dx = 1 inside [-alpha, alpha], dQa/dalpha = sign(x) outside.
     * Counts the inputs it quantizes, so a test can see that a layer used it.
     */
    static final class SymmetricClip implements ActivationQuantizer {
        private static final AlphabetCodes LEVELS = new AlphabetCodes(Alphabet.symmetricWithZero(15));

        int calls;

        @Override
        public String id() {
            return "test-clip";
        }

        @Override
        public String description() {
            return "4-bit symmetric clip, trained, for tests";
        }

        @Override
        public String spec() {
            return "test-clip";
        }

        @Override
        public double bits() {
            return 4;
        }

        @Override
        public List<TrainedValue> trainedValues() {
            return List.of(new TrainedValue("clip", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDManager manager) {
            return new NDList(manager.create(new float[] {2f}, new Shape(1)));
        }

        @Override
        public NDArray scale(NDArray input, NDList trained) {
            NDArray scale = trained.get(0).div(7f);
            scale.attach(input.getManager());
            return scale;
        }

        @Override
        public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
            calls++;
            return LEVELS.snapOverwriting(input.div(scale)).muli(scale);
        }

        @Override
        public NDArray normalized(NDArray input, NDArray scale) {
            return input.div(scale).divi(7f);
        }

        /** {@code Qa(x) + [|x| <= alpha] (x - sg(x)) + sign(x) [|x| > alpha] (alpha - sg(alpha))}: exactly Qa(x). */
        @Override
        public NDArray quantizeTrained(
                NDArray input, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            NDManager scope = input.getManager();
            NDArray clip = trained.get(0);
            NDArray x = input.stopGradient();
            x.attach(scope);
            NDArray alpha = clip.stopGradient();
            alpha.attach(scope);
            NDArray value = quantize(x, alpha.div(7f), context);
            NDArray inside = x.abs().lte(alpha).toType(DataType.FLOAT32, false);
            NDArray side = x.gt(alpha)
                    .toType(DataType.FLOAT32, false)
                    .sub(x.lt(alpha.neg()).toType(DataType.FLOAT32, false));
            return value.add(inside.mul(x.neg().add(input)))
                    .add(side.mul(alpha.neg().add(clip)));
        }
    }
}
