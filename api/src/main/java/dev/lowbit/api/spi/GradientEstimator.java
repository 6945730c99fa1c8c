package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;

/**
 * Shapes the backward pass of a quantizer: the derivative dQ/dx that the gradient of Q(x) is
 * multiplied by on its way to x (the fp32 shadow weights, or a layer's input). Training computes
 * <pre>    xq = Q(x) + m * (x - stop_gradient(x)),    m = derivative(u)</pre>
 * so the forward value is exactly Q(x) and x receives {@code m * dL/dQ}. The derivative is a plain
 * function computed beside Q(x), off the gradient tape: one recorded multiplication, not an autograd
 * chain through the scheme.
 *
 * <p>{@code u} is x in the quantizer's normalised units: the outermost levels of its alphabet (after
 * scaling) sit at u = -1 and u = +1, and u = 0 midway between them (see
 * {@link Quantizer#normalized}). So "clipped" means |u| > 1, and Bi-Real Net's ApproxSign, written for
 * sign(x) on [-1, 1], applies to any scaled alphabet unchanged.
 *
 * <p><b>Who calls it, and when.</b> lowbit creates it once each time a command opens the plugins; a layer
 * calls {@link #derivative} in every forward pass, on each weight tensor (and each quantized input) whose
 * gradient it shapes, unless {@link #isIdentity()}. One instance serves every layer and run of a command,
 * from one thread at a time: keep no state in fields. Whatever it throws while a run trains fails that run
 * only, with a {@link dev.lowbit.api.nn.QuantizerException} naming the estimator, its quantizer and the
 * tensor.
 *
 * <p>Estimators are found with {@link java.util.ServiceLoader} (list the class, which has a public
 * no-argument constructor, in {@code META-INF/services/dev.lowbit.api.spi.GradientEstimator}); built-ins
 * and plugins come through the same door. A spec names one after a tilde: {@code ternary~clipped},
 * {@code binary@absmean/channel~approx-sign}, {@code int8@absmax/token~clipped}. Without a tilde a
 * quantizer trains with its own {@link Quantizer#estimator()} (the identity unless it says otherwise).
 * {@code GradientEstimatorContract} in lowbit-testkit is the contract an estimator passes.
 */
public interface GradientEstimator {

    /**
     * The stable id, persisted in results after the {@code ~} of a spec, so never renamed.
     *
     * @return the id, {@code [a-z][a-z0-9.-]*}, e.g. {@code clipped}
     */
    String id();

    /**
     * One line for {@code lowbit list}, citing the paper the estimator comes from.
     *
     * @return the description
     */
    String description();

    /**
     * dQ/dx at every element.
     *
     * @param normalized u, the input in the quantizer's normalised units (outermost levels at +-1), float32,
     *     off the gradient tape, owned by the batch's manager
     * @return finite float32 factors, the shape of {@code normalized} (or broadcastable to it), owned by
     *     the same manager; never recorded on the tape
     */
    NDArray derivative(NDArray normalized);

    /**
     * Whether the derivative is 1 everywhere: then lowbit skips the multiplication (the plain
     * straight-through path, no extra pass over the weights). Only {@link #STE} says so.
     *
     * @return true exactly when {@link #derivative} is 1 everywhere; false by default
     */
    default boolean isIdentity() {
        return false;
    }

    /** The straight-through estimator: derivative 1 everywhere (Bengio et al. 2013); id {@code ste}. */
    GradientEstimator STE = new GradientEstimator() {
        @Override
        public String id() {
            return "ste";
        }

        @Override
        public String description() {
            return "straight-through: the gradient passes Q unchanged (Bengio et al. 2013, arXiv:1308.3432)";
        }

        @Override
        public NDArray derivative(NDArray normalized) {
            return normalized.onesLike();
        }

        @Override
        public boolean isIdentity() {
            return true;
        }

        @Override
        public String toString() {
            return "ste";
        }
    };
}
