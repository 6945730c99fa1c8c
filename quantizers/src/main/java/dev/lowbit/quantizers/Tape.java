package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Gradient-tape helpers for the schemes that write their own recorded forward pass (TTQ, PACT, LSQ's
 * activations), in the manner of api's {@code StraightThrough}: the forward value is exactly the
 * quantized one, and the gradient reaches the inputs through terms whose value is exactly zero.
 *
 * <p>DJL attaches an op's result to its first operand's manager, and parameters (shadow weights,
 * trained values) live in a long-lived one; so every op here starts from an array of {@code scope} or
 * attaches its result there, and nothing derived from a parameter outlives the scope.
 */
final class Tape {

    private Tape() {}

    /** A copy off the tape, owned by {@code scope}. */
    static NDArray detached(NDArray array, NDManager scope) {
        NDArray detached = array.stopGradient();
        detached.attach(scope);
        return detached;
    }

    /**
     * {@code live - stop_gradient(live)} written as {@code -detached + live}: exactly zero (x - x is +0 in
     * float), with gradient 1 for {@code live}; owned by {@code detached}'s manager.
     *
     * @param detached {@code live}'s value off the tape, from {@link #detached}
     */
    static NDArray zeroWithGradient(NDArray live, NDArray detached) {
        try (NDArray negated = detached.neg()) {
            return negated.add(live);
        }
    }
}
