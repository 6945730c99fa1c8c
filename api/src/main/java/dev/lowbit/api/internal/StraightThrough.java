package dev.lowbit.api.internal;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;

/**
 * The straight-through estimator, written so the forward value is exactly Q(W):
 * <pre>    Wq = Q(W) + (W - stop_gradient(W))</pre>
 * The bracket is exactly zero in floating point and has gradient 1, so the gradient computed for
 * Q(W) reaches the fp32 shadow weights unchanged, and a model reloaded from its packed codes
 * computes bit-identical weights. ({@code W + stop_gradient(Q(W) - W)} is the same in exact
 * arithmetic but not in float32.) A {@link GradientEstimator} other than the identity shapes that
 * gradient with its derivative m, computed off the tape:
 * <pre>    Wq = Q(W) + m * (W - stop_gradient(W))</pre>
 * still exactly Q(W) forward (m times an exact zero is zero), and m dL/dQ backward.
 *
 * <p>Parameters live in a long-lived manager and DJL attaches a result to its first operand's
 * manager, so every op here starts from an array owned by {@code scope} (the batch's manager) or
 * attaches its result there: nothing derived from the weights outlives the batch.
 *
 * <p>What lowbit's quantized layers compute with; a plugin need not call it. Static and stateless. It calls
 * the quantizer and the estimator as they are: their exceptions pass through unchanged
 * ({@link dev.lowbit.api.nn.QuantizedWeight} names them).
 */
public final class StraightThrough {

    private StraightThrough() {}

    /**
     * Q(W) on the gradient tape of {@code shadow}, with the quantizer's own (unlearned) scale.
     *
     * @param shadow the fp32 shadow weights (a parameter, possibly recording gradients)
     * @param quantizer Q; the identity quantizer returns {@code shadow} itself
     * @param scope the manager that owns the intermediate arrays
     * @return Q(W) forward, gradient 1 to {@code shadow}
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
     * Q(W) on the gradient tape of {@code shadow}, the gradient shaped by {@code estimator}: the plain
     * quantizer's training step (see docs/SCHEMES.md, "Training").
     * <pre>
     *   s  = scale(W),  Q = quantize(W, s, context)                 off the tape
     *   Wq = Q + m * (W - stop_gradient(W)),  m = estimator.derivative(normalized(W, s))
     * </pre>
     * With the identity estimator this computes exactly what {@link #quantize(NDArray, Quantizer, NDManager)}
     * does (the same ops), m left out.
     *
     * @param shadow the fp32 shadow weights (a parameter, possibly recording gradients)
     * @param quantizer Q; the identity quantizer returns {@code shadow} itself
     * @param estimator shapes the gradient; {@link GradientEstimator#STE} passes it unchanged
     * @param context training (a stochastic quantizer may draw) or {@link QuantizationContext#EVALUATION}
     * @param scope the manager that owns the intermediate arrays
     * @return Q(W) forward, {@code m * dL/dQ} to {@code shadow}
     */
    public static NDArray quantize(
            NDArray shadow,
            Quantizer quantizer,
            GradientEstimator estimator,
            QuantizationContext context,
            NDManager scope) {
        if (quantizer.isFullPrecision()) {
            return shadow;
        }
        NDArray detached = detach(shadow, scope);
        NDArray scale = quantizer.scale(detached);
        NDArray quantized = quantizer.quantize(detached, scale, context);
        NDArray derivative = estimator.isIdentity()
                ? null
                : derivative(estimator, quantizer.normalized(detached, scale), shadow.getShape());
        return withGradient(shadow, detached, quantized, derivative, scope);
    }

    /**
     * The estimator's derivative at {@code normalized}, checked to broadcast into {@code shape} (the
     * in-place product in {@link #withGradient} needs that).
     *
     * @throws IllegalStateException when it does not
     */
    public static NDArray derivative(GradientEstimator estimator, NDArray normalized, Shape shape) {
        NDArray derivative = estimator.derivative(normalized);
        if (!broadcastsInto(derivative.getShape(), shape)) {
            throw new IllegalStateException("it returned shape " + derivative.getShape() + ", which does not broadcast"
                    + " to the input's shape " + shape);
        }
        return derivative;
    }

    private static boolean broadcastsInto(Shape small, Shape big) {
        if (small.dimension() > big.dimension()) {
            return false;
        }
        for (int i = 1; i <= small.dimension(); i++) {
            long s = small.get(small.dimension() - i);
            if (s != 1 && s != big.get(big.dimension() - i)) {
                return false;
            }
        }
        return true;
    }

    /**
     * {@code quantized} on the gradient tape of {@code live}, for weights or a layer's input alike:
     * <pre>    Q + m * (x - stop_gradient(x))      (Q + (x - stop_gradient(x)) when m is null)</pre>
     * The forward value is exactly Q; x receives {@code m * dL/dQ}. Every array it makes is owned by
     * {@code scope}.
     *
     * @param live x, possibly recording gradients (a parameter or a layer's input)
     * @param detached x off the tape, owned by {@code scope} (as {@link NDArray#stopGradient()} gives it)
     * @param quantized Q(x), off the tape, x's shape
     * @param derivative m, off the tape, broadcastable to x's shape; {@code null} for the identity
     * @param scope the batch's manager, which owns every array made here
     * @return Q(x) forward, {@code m * dL/dQ} to x
     */
    public static NDArray withGradient(
            NDArray live, NDArray detached, NDArray quantized, NDArray derivative, NDManager scope) {
        // (x - stop_gradient(x)) [* m] + Q: recorded ops, the later ones in place on the first's fresh
        // result (no backward here needs the overwritten value: sub and add need no input, mul only m).
        // The first lands in the manager of x (a parameter's is long-lived), so it is handed to the batch's.
        NDArray zero = live.sub(detached);
        zero.attach(scope);
        if (derivative != null) {
            zero.muli(derivative);
        }
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
     *
     * @param shadow the fp32 shadow weights, recording gradients
     * @param learnedScale the trained scale s, recording gradients, in the form {@link Quantizer#scale} has
     * @param quantizer Q, whose alphabet gives the values
     * @param scope the manager that owns the intermediate arrays
     * @return Q(W) at s, on the tapes of W and s
     * @throws IllegalArgumentException for a full-precision quantizer, which has no scale to learn
     */
    public static NDArray quantize(NDArray shadow, NDArray learnedScale, Quantizer quantizer, NDManager scope) {
        Alphabet alphabet = quantizer
                .alphabet()
                .orElseThrow(() -> new IllegalArgumentException("A full-precision quantizer has no scale to learn"));
        NDArray detachedWeights = detach(shadow, scope);
        NDArray detachedScale = detach(learnedScale, scope);
        long weightsPerScale = shadow.size() / learnedScale.size();
        double outermost = Math.max(Math.abs(alphabet.min()), Math.abs(alphabet.max()));
        NDArray gradientScaled = scope.create((float) (1 / Math.sqrt(weightsPerScale * outermost)))
                .mul(learnedScale);
        // Value s, gradient g * ds: LSQ's gradient scaling without changing the forward value.
        NDArray scale = exactZero(detach(gradientScaled, scope), gradientScaled).add(detachedScale);
        NDArray ratio = shadow.div(scale);
        ratio.attach(scope);
        NDArray clipped = ratio.clip((float) alphabet.min(), (float) alphabet.max());
        NDArray levels = quantizer.values(quantizer.codes(detachedWeights, detachedScale));
        return levels.add(exactZero(detach(clipped, scope), clipped)).mul(scale);
    }

    /** A copy off the tape, owned by {@code scope}. */
    public static NDArray detach(NDArray array, NDManager scope) {
        NDArray detached = array.stopGradient();
        detached.attach(scope);
        return detached;
    }

    /**
     * {@code array} itself on the tape (a view: no copy, gradient passed unchanged), owned by {@code scope}.
     * Handed to a scheme's own recorded ops instead of a parameter, so that what they compute lands in the
     * batch's manager (an op's result joins its first operand's manager) rather than the model's.
     */
    public static NDArray alias(NDArray array, NDManager scope) {
        NDArray view = array.reshape(array.getShape());
        view.attach(scope);
        return view;
    }

    /** {@code -detached + live}: exactly zero, with gradient 1 for {@code live}, owned by detached's manager. */
    private static NDArray exactZero(NDArray detached, NDArray live) {
        return detached.neg().add(live);
    }
}
