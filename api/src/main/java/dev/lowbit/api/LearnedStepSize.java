package dev.lowbit.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;

/**
 * LSQ's forward pass (Esser et al. 2020) for {@link AlphabetQuantizer} under the learned rule, on the
 * tapes of both W and the trained step s:
 * <pre>
 *   x  = clip(W / s, min value, max value)
 *   Wq = s * (nearest(x) + (x - stop_gradient(x)))
 * </pre>
 * W gets gradient 1 inside the alphabet's range and 0 where it clips; s gets LSQ's gradient, scaled by
 * {@code 1 / sqrt(n * max|value|)} with n the weights per scale. The forward value is exactly
 * {@code decode(codes(W, s), s)}. The same ops, in the same order, as
 * {@code StraightThrough.quantize(shadow, learnedScale, quantizer, scope)}, so training is bit-identical.
 *
 * <p>Every op starts from an array owned by {@code scope} or attaches its result there: the shadow
 * weights and the step may be parameters, whose manager lives as long as the model.
 */
final class LearnedStepSize {

    /** The trained value's name, the layer parameter it has always been. */
    static final String NAME = "scale";

    private LearnedStepSize() {}

    static NDArray quantize(NDArray shadow, NDArray learnedScale, AlphabetQuantizer quantizer, NDManager scope) {
        Alphabet alphabet = quantizer.alphabet().orElseThrow();
        long weightsPerScale = shadow.size() / learnedScale.size();
        NDArray step = perWeight(learnedScale, shadow.getShape(), quantizer.granularity(), scope);
        NDArray detachedWeights = detach(shadow, scope);
        NDArray detachedTrained = detach(learnedScale, scope);
        NDArray detachedScale = step == learnedScale ? detachedTrained : detach(step, scope);
        double outermost = Math.max(Math.abs(alphabet.min()), Math.abs(alphabet.max()));
        NDArray gradientScaled = scope.create((float) (1 / Math.sqrt(weightsPerScale * outermost)))
                .mul(step);
        // Value s, gradient g * ds: LSQ's gradient scaling without changing the forward value.
        NDArray scale = exactZero(detach(gradientScaled, scope), gradientScaled).add(detachedScale);
        NDArray ratio = shadow.div(scale);
        ratio.attach(scope);
        NDArray clipped = ratio.clip((float) alphabet.min(), (float) alphabet.max());
        NDArray levels = quantizer.values(quantizer.codes(detachedWeights, detachedTrained));
        return levels.add(exactZero(detach(clipped, scope), clipped)).mul(scale);
    }

    /**
     * The trained step as it broadcasts against the weights: itself per tensor and per channel; per group
     * (trained as {@code (out * groups, 1, ...)}) one per weight, through recorded ops so s keeps its gradient.
     */
    private static NDArray perWeight(
            NDArray learnedScale, Shape weightShape, Granularity granularity, NDManager scope) {
        if (!granularity.isGroup() || weightShape.dimension() <= 1) {
            return learnedScale;
        }
        NDArray compact = learnedScale.reshape(granularity.scaleShape(weightShape));
        compact.attach(scope);
        return granularity.expand(compact, weightShape);
    }

    /** A copy off the tape, owned by {@code scope}. */
    private static NDArray detach(NDArray array, NDManager scope) {
        NDArray detached = array.stopGradient();
        detached.attach(scope);
        return detached;
    }

    /** {@code -detached + live}: exactly zero, with gradient 1 for {@code live}, owned by detached's manager. */
    private static NDArray exactZero(NDArray detached, NDArray live) {
        return detached.neg().add(live);
    }
}
