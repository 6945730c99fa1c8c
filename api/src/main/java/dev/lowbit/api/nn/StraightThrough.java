package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowbit.api.spi.Quantizer;

/**
 * The straight-through estimator.
 * <pre>    Wq = W + stop_gradient(Q(W) - W)</pre>
 * The forward value is Q(W); the gradient of Wq with respect to W is the identity, so the
 * gradient computed for Q(W) reaches the fp32 shadow weights unchanged.
 */
public final class StraightThrough {

    private StraightThrough() {}

    /**
     * Returns Q(W) as a value on the gradient tape of {@code shadow}.
     *
     * @param shadow the fp32 shadow weights (a parameter, possibly recording gradients)
     * @param quantizer Q; the identity quantizer returns {@code shadow} itself
     * @param scope the manager that owns the intermediate arrays, typically the batch's: parameters
     *     live in a long-lived manager, so anything derived from them must be attached elsewhere or
     *     it would accumulate for the whole training
     */
    public static NDArray quantize(NDArray shadow, Quantizer quantizer, NDManager scope) {
        if (quantizer.isFullPrecision()) {
            return shadow;
        }
        NDArray detached = shadow.stopGradient();
        detached.attach(scope);
        NDArray offGrid = quantizer.quantize(detached).sub(detached);
        // The first operand owns the result, so offGrid + shadow lands in scope, not in the
        // parameter's manager; only this one addition is recorded.
        return offGrid.add(shadow);
    }
}
