package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;

/**
 * The straight-through estimator, written so the forward value is exactly Q(W):
 * <pre>    Wq = Q(W) + (W - stop_gradient(W))</pre>
 * The bracket is exactly zero in floating point and has gradient 1, so the gradient computed for
 * Q(W) reaches the fp32 shadow weights unchanged, and a model reloaded from its packed codes
 * computes bit-identical weights. ({@code W + stop_gradient(Q(W) - W)} is the same in exact
 * arithmetic but not in float32.)
 *
 * <p>Parameters live in a long-lived manager and DJL attaches a result to its first operand's
 * manager, so every op here starts from an array owned by {@code scope} (the batch's manager) or
 * attaches its result there: nothing derived from the weights outlives the batch.
 */
public final class StraightThrough {

    private StraightThrough() {}

    /**
     * Q(W) on the gradient tape of {@code shadow}, with the quantizer's own (unlearned) scale.
     *
     * @param shadow the fp32 shadow weights (a parameter, possibly recording gradients)
     * @param quantizer Q; the identity quantizer returns {@code shadow} itself
     * @param scope the manager that owns the intermediate arrays
     */
    public static NDArray quantize(NDArray shadow, Quantizer quantizer, NDManager scope) {
        if (quantizer.isFullPrecision()) {
            return shadow;
        }
        NDArray detached = detach(shadow, scope);
        NDArray quantized = quantizer.quantize(detached);
        // (W - stop_gradient(W)) + Q(W): two recorded ops, the second in place on the first's fresh
        // result (add needs neither input for its backward). Lands in the parameter's manager, so
        // it is handed to the batch's.
        NDArray zero = shadow.sub(detached);
        zero.attach(scope);
        return zero.addi(quantized);
    }

    /**
     * Q(W) with a trained scale s (LSQ, Esser et al. 2020), on the tapes of both W and s:
     * <pre>
     *   x  = clip(W / s, min value, max value)
     *   Wq = s * (nearest(x) + (x - stop_gradient(x)))
     * </pre>
     * W gets gradient 1 inside the alphabet's range and 0 where it clips; s gets LSQ's gradient,
     * scaled by {@code 1 / sqrt(n * max|value|)} with n the weights per scale. The forward value is
     * exactly {@code decode(codes(W, s), s)}.
     */
    public static NDArray quantize(NDArray shadow, NDArray learnedScale, Quantizer quantizer, NDManager scope) {
        Alphabet alphabet = quantizer.alphabet().orElseThrow(
                () -> new IllegalArgumentException("A full-precision quantizer has no scale to learn"));
        NDArray detachedWeights = detach(shadow, scope);
        NDArray detachedScale = detach(learnedScale, scope);
        long weightsPerScale = shadow.size() / learnedScale.size();
        double outermost = Math.max(Math.abs(alphabet.min()), Math.abs(alphabet.max()));
        NDArray gradientScaled = scope.create((float) (1 / Math.sqrt(weightsPerScale * outermost))).mul(learnedScale);
        // Value s, gradient g * ds: LSQ's gradient scaling without changing the forward value.
        NDArray scale = exactZero(detach(gradientScaled, scope), gradientScaled).add(detachedScale);
        NDArray ratio = shadow.div(scale);
        ratio.attach(scope);
        NDArray clipped = ratio.clip((float) alphabet.min(), (float) alphabet.max());
        NDArray levels = quantizer.values(quantizer.codes(detachedWeights, detachedScale));
        return levels.add(exactZero(detach(clipped, scope), clipped)).mul(scale);
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
