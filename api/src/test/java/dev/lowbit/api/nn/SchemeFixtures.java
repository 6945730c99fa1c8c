package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;

/** Small schemes written against the SPI, as a plugin would, for the training-core tests. */
final class SchemeFixtures {

    private SchemeFixtures() {}

    /** Ternary at its default rule. */
    static final class Ternary extends AlphabetQuantizer {
        Ternary() {
            super("test-ternary", "test", Alphabet.symmetricWithZero(3));
        }
    }

    /** Clipped STE: 1 where |u| <= 1, else 0. */
    static class Clipped implements GradientEstimator {
        @Override
        public String id() {
            return "test-clipped";
        }

        @Override
        public String description() {
            return "test";
        }

        @Override
        public NDArray derivative(NDArray normalized) {
            return normalized.abs().lte(1f).toType(DataType.FLOAT32, false);
        }
    }

    /** Ternary with stochastic rounding while training: each weight goes up with the probability of its fraction. */
    static final class StochasticTernary extends AlphabetQuantizer {
        int draws;

        StochasticTernary() {
            super("test-stochastic", "test", Alphabet.symmetricWithZero(3));
        }

        @Override
        public NDArray quantize(NDArray weights, NDArray scale, QuantizationContext context) {
            if (!context.training()) {
                return quantize(weights, scale);
            }
            draws++;
            NDArray x = weights.div(scale).clip(-1f, 1f);
            NDArray floor = x.floor();
            NDArray up =
                    context.uniform(weights.getManager(), weights.getShape()).lt(x.sub(floor));
            return floor.add(up.toType(DataType.FLOAT32, false)).mul(scale);
        }
    }

    /**
     * TTQ-like (Zhu et al. 2017): weights beyond delta = 0.05 max|W| become +wp, below -delta -wn, else 0;
     * wp and wn are trained, W gets the straight-through gradient.
     */
    static class TwoMagnitudes extends AlphabetQuantizer implements LearnedQuantizer {
        TwoMagnitudes() {
            super("test-ttq", "test", Alphabet.symmetricWithZero(3));
        }

        @Override
        public List<TrainedValue> trainedValues(Shape weightShape) {
            return List.of(new TrainedValue("wp", new Shape(1)), new TrainedValue("wn", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDArray weights) {
            NDArray magnitude = weights.abs().mean().reshape(1);
            return new NDList(magnitude, magnitude.duplicate());
        }

        static NDArray positive(NDArray weights) {
            return weights.gt(weights.abs().max().mul(0.05f)).toType(DataType.FLOAT32, false);
        }

        static NDArray negative(NDArray weights) {
            return weights.lt(weights.abs().max().mul(-0.05f)).toType(DataType.FLOAT32, false);
        }

        @Override
        public NDArray quantizeTrained(
                NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            NDArray detached = shadow.stopGradient();
            NDArray value = positive(detached)
                    .mul(trained.get(0))
                    .sub(negative(detached).mul(trained.get(1)));
            return shadow.sub(detached).add(value);
        }

        @Override
        public NDArray codes(NDArray weights, NDList trained) {
            return positive(weights).sub(negative(weights)).add(1f);
        }

        @Override
        public NDArray packedScale(NDList trained) {
            return trained.get(0).onesLike();
        }

        @Override
        public double[] packedAlphabet(NDList trained) {
            return new double[] {-trained.get(1).getFloat(), 0, trained.get(0).getFloat()};
        }
    }

    /** 8-bit absmax per tensor (BitNet's, without the per-token axis): round(x 127 / max|x|) max|x| / 127. */
    static class AbsMaxInt8 implements ActivationQuantizer {
        @Override
        public String id() {
            return "test-int8";
        }

        @Override
        public String description() {
            return "test";
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
            return input.abs().max().div(127f);
        }

        @Override
        public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
            return input.div(scale).round().clip(-128f, 127f).mul(scale);
        }

        @Override
        public NDArray normalized(NDArray input, NDArray scale) {
            return input.div(scale).div(127f);
        }
    }

    /** PACT's clip without the rounding: y = min(max(x, 0), alpha), alpha trained from 0.5. */
    static final class LearnedClip extends AbsMaxInt8 {
        @Override
        public String id() {
            return "test-clip";
        }

        @Override
        public String spec() {
            return "test-clip";
        }

        @Override
        public List<TrainedValue> trainedValues() {
            return List.of(new TrainedValue("alpha", new Shape(1)));
        }

        @Override
        public NDList initialValues(NDManager manager) {
            return new NDList(manager.create(new float[] {0.5f}));
        }

        @Override
        public NDArray quantizeTrained(
                NDArray input, NDList trained, GradientEstimator estimator, QuantizationContext context) {
            return input.maximum(0f).minimum(trained.singletonOrThrow());
        }
    }
}
