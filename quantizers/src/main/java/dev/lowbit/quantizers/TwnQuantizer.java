package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Optional;

/**
 * {@code twn}: Ternary Weight Networks (Li, Zhang and Liu 2016, arXiv:1605.04711), per tensor:
 * <pre>
 *   delta = 0.7 mean |W|
 *   W'    = +1 where W > delta, -1 where W &lt; -delta, 0 else      (the codes, minus 1)
 *   alpha = mean of |W| over the weights with |W| > delta         (the scale)
 *   Q(W)  = alpha W'
 * </pre>
 * The threshold, not the nearest level of W / alpha, decides the codes, so they depend on W alone;
 * {@code quantize(W, s)} is {@code decode(codes(W, s), s)} bit for bit (the interface's default). The
 * scale is the scheme's own ({@code twn/tensor}): it takes no other rule.
 */
public final class TwnQuantizer implements Quantizer {

    /** TWN's rule of thumb for Gaussian or uniform weights: delta = 0.7 E|W|. */
    public static final double THRESHOLD_RATIO = 0.7;
    /** Guards the scale when no weight lies beyond the threshold (all zeros), as the built-in rules do. */
    private static final double MIN_SCALE = 1e-8;

    private static final Alphabet TERNARY = Alphabet.symmetricWithZero(3);

    @Override
    public String id() {
        return "twn";
    }

    @Override
    public String description() {
        return "TWN: ternary beyond delta = 0.7 mean|W|, alpha = mean|W| over those weights (Li et al. 2016,"
                + " arXiv:1605.04711)";
    }

    @Override
    public Optional<Alphabet> alphabet() {
        return Optional.of(TERNARY);
    }

    @Override
    public String scaleRule() {
        return "twn/tensor";
    }

    /** alpha = sum(|W| over |W| > delta) / count(|W| > delta): a 0-d float32 array. */
    @Override
    public NDArray scale(NDArray weights) {
        try (NDArray magnitude = weights.abs();
                NDArray delta = threshold(magnitude);
                NDArray beyond = magnitude.gt(delta);
                NDArray mask = beyond.toType(DataType.FLOAT32, false);
                NDArray count = mask.sum();
                NDArray kept = magnitude.mul(mask);
                NDArray total = kept.sum();
                NDArray atLeastOne = count.maximum(EngineScalars.of(1));
                NDArray alpha = total.div(atLeastOne)) {
            return alpha.maximum(EngineScalars.of(MIN_SCALE));
        }
    }

    /** 2 where W > delta, 0 where W &lt; -delta, 1 else: the ternary level plus 1. The scale plays no part. */
    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        try (NDArray magnitude = weights.abs();
                NDArray delta = threshold(magnitude);
                NDArray negativeDelta = delta.neg();
                NDArray above = weights.gt(delta);
                NDArray below = weights.lt(negativeDelta);
                NDArray positive = above.toType(DataType.FLOAT32, false);
                NDArray negative = below.toType(DataType.FLOAT32, false)) {
            return positive.sub(negative).addi(EngineScalars.of(1));
        }
    }

    @Override
    public NDArray values(NDArray codes) {
        return codes.sub(EngineScalars.of(1));
    }

    /** delta = 0.7 mean |W|, a 0-d array. */
    private static NDArray threshold(NDArray magnitude) {
        try (NDArray mean = magnitude.mean()) {
            return mean.mul(EngineScalars.of(THRESHOLD_RATIO));
        }
    }

    @Override
    public String toString() {
        return spec() + " " + TERNARY;
    }
}
