package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A quantizer that learns its scale the old way ({@link Quantizer#learnsScale()}, LSQ through a
 * {@code learned} scale rule) seen as a {@link LearnedQuantizer} with one trained value, {@code scale}, so
 * {@link QuantizedWeight} has a single path for trained values. It computes exactly what the blocks
 * computed before trained values existed: the scale parameter starts at the rule applied to the initial
 * weights, one per tensor or per output channel, and the forward pass is
 * {@link StraightThrough#quantize(NDArray, NDArray, Quantizer, ai.djl.ndarray.NDManager)}.
 *
 * <p>The built-in {@code AlphabetQuantizer} declares its learned scale itself (it is a
 * {@link LearnedQuantizer}); this adapter keeps a plugin written before trained values existed, one that
 * implements {@code Quantizer} directly and answers {@code learnsScale()}, training as it always did.
 */
final class LegacyLearnedScale implements LearnedQuantizer {

    /** The parameter's name, as in every checkpoint written before trained values existed. */
    static final String NAME = "scale";

    private final Quantizer quantizer;

    LegacyLearnedScale(Quantizer quantizer) {
        this.quantizer = quantizer;
    }

    /** The scale's shape: {@code (count, 1, ..., 1)} with count from {@link Quantizer#scaleCount}. */
    private Shape scaleShape(Shape weightShape) {
        long[] shape = new long[weightShape.dimension()];
        Arrays.fill(shape, 1);
        shape[0] = quantizer.scaleCount(weightShape.getShape());
        return new Shape(shape);
    }

    @Override
    public List<TrainedValue> trainedValues(Shape weightShape) {
        return List.of(new TrainedValue(NAME, scaleShape(weightShape)));
    }

    @Override
    public NDList initialValues(NDArray weights) {
        return new NDList(quantizer.scale(weights).reshape(scaleShape(weights.getShape())));
    }

    /** LSQ's recorded forward; its gradient for W is its own clip, so the estimator is not used. */
    @Override
    public NDArray quantizeTrained(
            NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        return StraightThrough.quantize(shadow, trained.singletonOrThrow(), quantizer, shadow.getManager());
    }

    @Override
    public NDArray codes(NDArray weights, NDList trained) {
        return quantizer.codes(weights, trained.singletonOrThrow());
    }

    @Override
    public NDArray packedScale(NDList trained) {
        return trained.singletonOrThrow();
    }

    @Override
    public String id() {
        return quantizer.id();
    }

    @Override
    public String description() {
        return quantizer.description();
    }

    @Override
    public Optional<Alphabet> alphabet() {
        return quantizer.alphabet();
    }

    @Override
    public String scaleRule() {
        return quantizer.scaleRule();
    }

    @Override
    public String spec() {
        return quantizer.spec();
    }

    @Override
    public NDArray scale(NDArray weights) {
        return quantizer.scale(weights);
    }

    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        return quantizer.codes(weights, scale);
    }

    @Override
    public NDArray values(NDArray codes) {
        return quantizer.values(codes);
    }
}
