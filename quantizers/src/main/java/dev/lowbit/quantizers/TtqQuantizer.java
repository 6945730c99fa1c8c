package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;
import java.util.Optional;

/**
 * {@code ttq}: Trained Ternary Quantization (Zhu, Han, Mao and Dally 2017, arXiv:1612.01064). Two
 * magnitudes per tensor, Wp and Wn, are trained with the model:
 * <pre>
 *   delta = 0.05 max |W|                                   (the paper's t = 0.05)
 *   Ip = [W > delta],  In = [W &lt; -delta],  I0 = the rest   (from W off the tape)
 *   Wq = Wp Ip - Wn In
 *   dL/dWp = sum over Ip of dL/dWq,   dL/dWn = -sum over In of dL/dWq
 *   dL/dW  = (Wp Ip + I0 + Wn In) dL/dWq                    (the paper's scaled gradients)
 * </pre>
 * The packed file stores the codes 0, 1, 2 for -, 0, + with scale 1 and the alphabet (-Wn, 0, Wp).
 * The plain {@code Quantizer} methods (used where no trained values exist) give the nominal ternary
 * pattern at scale 1. The weight gradient is the scheme's own: a {@code ~} estimator is ignored.
 *
 * <p>Wp and Wn have shape (1), like every scalar lowbit's built-in schemes train, so they broadcast
 * against weights of any rank.
 */
public final class TtqQuantizer implements LearnedQuantizer {

    /** The paper's threshold factor t: delta = t max |W|. */
    public static final double THRESHOLD_RATIO = 0.05;

    private static final double MIN_MAGNITUDE = 1e-8;
    private static final Alphabet TERNARY = Alphabet.symmetricWithZero(3);
    private static final Shape SCALAR = new Shape(1);

    @Override
    public String id() {
        return "ttq";
    }

    @Override
    public String description() {
        return "TTQ: Wp above delta = 0.05 max|W|, -Wn below -delta, 0 between; Wp, Wn trained (Zhu et al. 2017,"
                + " arXiv:1612.01064)";
    }

    /** The nominal alphabet {-1, 0, 1}; a trained tensor's is {@link #packedAlphabet}. */
    @Override
    public Optional<Alphabet> alphabet() {
        return Optional.of(TERNARY);
    }

    @Override
    public String scaleRule() {
        return "ttq/tensor";
    }

    /** 1: the magnitudes live in the alphabet. A 0-d float32 array owned by the weights' manager. */
    @Override
    public NDArray scale(NDArray weights) {
        return weights.getManager().create(1f);
    }

    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        return codes(weights);
    }

    @Override
    public NDArray values(NDArray codes) {
        return codes.sub(EngineScalars.of(1));
    }

    @Override
    public List<TrainedValue> trainedValues(Shape weightShape) {
        return List.of(new TrainedValue("wp", SCALAR), new TrainedValue("wn", SCALAR));
    }

    /**
     * Wp = mean of W over W > delta, Wn = mean of |W| over W &lt; -delta, each of shape (1); where no weight
     * lies beyond the threshold on a side, mean |W|. Owned by the weights' manager.
     */
    @Override
    public NDList initialValues(NDArray weights) {
        try (Regions regions = new Regions(weights);
                NDArray magnitude = weights.abs();
                NDArray fallback = magnitude.mean()) {
            return new NDList(
                    meanOver(magnitude, regions.positive, fallback), meanOver(magnitude, regions.negative, fallback));
        }
    }

    private static NDArray meanOver(NDArray magnitude, NDArray mask, NDArray fallback) {
        try (NDArray kept = magnitude.mul(mask);
                NDArray total = kept.sum();
                NDArray count = mask.sum();
                NDArray atLeastOne = count.maximum(EngineScalars.of(1));
                NDArray mean = total.div(atLeastOne);
                NDArray empty = count.eq(EngineScalars.of(0));
                NDArray chosen = NDArrays.where(empty, fallback, mean);
                NDArray positive = chosen.maximum(EngineScalars.of(MIN_MAGNITUDE))) {
            return positive.reshape(SCALAR);
        }
    }

    /**
     * Wp Ip - Wn In plus {@code f (W - sg(W))}, f = Wp Ip + I0 + Wn In off the tape: the forward value is
     * exactly Wp Ip - Wn In (the bracket is +0), W gets f times the upstream gradient and Wp, Wn the sums
     * over their regions. The intermediates live in a scope closed before returning (the engine's graph
     * keeps what backward needs); the result is owned by the shadow weights' manager, for the caller to
     * attach to its batch's.
     */
    @Override
    public NDArray quantizeTrained(
            NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        NDArray wp = trained.get(0);
        NDArray wn = trained.get(1);
        NDManager owner = shadow.getManager();
        try (NDManager scope = owner.newSubManager()) {
            NDArray weights = Tape.detached(shadow, scope);
            Regions regions = new Regions(weights);
            NDArray magnitudes = regions.positive.mul(wp).sub(regions.negative.mul(wn));
            NDArray wpValue = Tape.detached(wp, scope);
            NDArray wnValue = Tape.detached(wn, scope);
            NDArray factor = regions.positive.mul(wpValue).addi(regions.zero()).addi(regions.negative.mul(wnValue));
            NDArray result = magnitudes.add(factor.mul(Tape.zeroWithGradient(shadow, weights)));
            result.attach(owner);
            return result;
        }
    }

    @Override
    public NDArray codes(NDArray weights, NDList trained) {
        return codes(weights);
    }

    /** 1, as {@link #scale} gives it: a 0-d float32 array. */
    @Override
    public NDArray packedScale(NDList trained) {
        return trained.head().getManager().create(1f);
    }

    /** (-Wn, 0, Wp). */
    @Override
    public double[] packedAlphabet(NDList trained) {
        return new double[] {-trained.get(1).getFloat(0), 0, trained.get(0).getFloat(0)};
    }

    /** 2 where W > delta, 0 where W < -delta, 1 else. */
    private static NDArray codes(NDArray weights) {
        try (Regions regions = new Regions(weights)) {
            return regions.positive.sub(regions.negative).addi(EngineScalars.of(1));
        }
    }

    /** The masks Ip and In (float32, of the weights' shape) of W off the tape, owned by its manager. */
    private static final class Regions implements AutoCloseable {
        final NDArray positive;
        final NDArray negative;

        Regions(NDArray weights) {
            try (NDArray magnitude = weights.abs();
                    NDArray largest = magnitude.max();
                    NDArray delta = largest.mul(EngineScalars.of(THRESHOLD_RATIO));
                    NDArray negativeDelta = delta.neg();
                    NDArray above = weights.gt(delta);
                    NDArray below = weights.lt(negativeDelta)) {
                positive = above.toType(DataType.FLOAT32, false);
                negative = below.toType(DataType.FLOAT32, false);
            }
        }

        /** I0 = 1 - Ip - In, a new array. */
        NDArray zero() {
            return positive.add(negative).neg().addi(EngineScalars.of(1));
        }

        @Override
        public void close() {
            positive.close();
            negative.close();
        }
    }

    @Override
    public String toString() {
        return spec() + " (trained alphabet -Wn, 0, Wp)";
    }
}
