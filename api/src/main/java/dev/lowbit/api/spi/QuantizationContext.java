package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * What a quantizer may know about the forward pass it is called in: training or evaluation, and,
 * while training, draws from the run's seeded generator.
 *
 * <p>The generator is one stream per run, seeded from the run's seed; its state is saved in every
 * checkpoint, so a run killed and resumed draws exactly what it would have drawn (bit-identical
 * results). Evaluation, validation, export and the packed file never draw: a quantizer called with
 * {@code training() == false} must be deterministic, equal to {@code decode(codes(W, s), s)}.
 *
 * <p>lowbit implements it and hands it to every forward pass ({@link Quantizer#quantize(NDArray, NDArray,
 * QuantizationContext)}, {@link LearnedQuantizer#quantizeTrained}, the activation quantizer's); a plugin only
 * reads it, and uses it only during the call it was given to. A contract test makes a training context with
 * {@code new QuantizerRandom(seed).context(true)} ({@link dev.lowbit.api.nn.QuantizerRandom}).
 */
public interface QuantizationContext {

    /**
     * Whether this forward pass trains (its gradient will update the weights).
     *
     * @return true only in training steps; false in validation, the test set, export and eval
     */
    boolean training();

    /**
     * Uniform float32 draws in [0, 1), one per element of {@code shape}, owned by {@code manager}, from the
     * run's seeded generator. Draw only from here (not {@code java.util.Random}, {@code Math.random} or the
     * engine's generator): only this generator's state is saved in checkpoints.
     *
     * @param manager the manager that owns the array returned, e.g. {@code weights.getManager()}
     * @param shape the shape of the draws
     * @return float32 draws in [0, 1), one per element, drawn in row-major order
     * @throws IllegalStateException when not training: evaluation is deterministic
     */
    NDArray uniform(NDManager manager, Shape shape);

    /** A deterministic forward pass: no training, no draws (evaluation, export, contract checks). */
    QuantizationContext EVALUATION = new QuantizationContext() {
        @Override
        public boolean training() {
            return false;
        }

        @Override
        public NDArray uniform(NDManager manager, Shape shape) {
            throw new IllegalStateException("A quantizer drew random numbers outside training; evaluation, export"
                    + " and the packed file must be deterministic (round to nearest when training() is false).");
        }

        @Override
        public String toString() {
            return "evaluation";
        }
    };
}
