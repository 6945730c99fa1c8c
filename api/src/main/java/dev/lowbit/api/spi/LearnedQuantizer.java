package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * A weight quantizer with values trained together with the model: LSQ's scale (Esser et al. 2020),
 * TTQ's magnitudes Wp and Wn (Zhu et al. 2017), learned alphabet values (LQ-Nets, Zhang et al. 2018),
 * learned thresholds. Each trained value becomes a parameter of the layer (named by
 * {@link TrainedValue#name()}), trained by the same optimizer, saved in every checkpoint; the packed
 * file stores what decoding needs ({@link #packedScale(NDArray, NDList)}, {@link #packedAlphabet}), so {@code lowbit eval}
 * reproduces the trained model exactly without this class.
 *
 * <p>A quantizer whose {@link #trainedValues} is empty for a shape trains like any other quantizer
 * (the straight-through path, off the tape). Otherwise training calls {@link #quantizeTrained}, which
 * the scheme writes with recorded engine ops: it defines the gradient of the weights and of every
 * trained value. The contract ({@code QuantizerContract} checks it): with
 * {@link QuantizationContext#EVALUATION} its value equals, bit for bit, the packed form
 * {@code packedAlphabet[codes(W, trained)] * packedScale(W, trained)} (minus zero points for an affine scheme),
 * and every trained value receives a gradient.
 *
 * <p><b>Who calls it, and when.</b> Each quantized layer asks {@link #trainedValues} when its scheme is set,
 * before the model initialises (with a placeholder shape of the weight's rank, then again with the real
 * shape, which must give the same names), and {@link #initialValues} once from the initial weights (a
 * resumed run then loads the checkpoint's values over them). {@link #quantizeTrained} runs in every forward
 * pass, and {@link #codes(NDArray, NDList)}, {@link #packedScale(NDArray, NDList)} and
 * {@link #packedAlphabet} when the model is packed. The threads, state and failure rules of {@link Quantizer}
 * apply: the trained values are the layer's parameters, never fields of the quantizer.
 */
public interface LearnedQuantizer extends Quantizer {

    /**
     * The values trained beside one weight tensor of this shape, in a fixed order; empty when this
     * configuration trains none (e.g. an alphabet quantizer whose scale rule is not learned).
     *
     * @param weightShape the shape of the weight tensor
     * @return the trained values, with names that do not depend on the shape; empty for none
     */
    List<TrainedValue> trainedValues(Shape weightShape);

    /**
     * The initial trained values for these initial weights, in the order and shapes of
     * {@link #trainedValues}, computed off the tape.
     *
     * @param weights the layer's initial weights, off the tape, left unchanged
     * @return one finite array per trained value, in order
     */
    NDList initialValues(NDArray weights);

    /**
     * Q(W) for a forward pass, on the gradient tape of {@code shadow} and of every trained value.
     *
     * @param shadow the fp32 shadow weights, recording gradients while training
     * @param trained the trained values, in the order of {@link #trainedValues}, recording gradients
     * @param estimator the estimator the spec chose ({@link #estimator()} unless a {@code ~} names another);
     *     a scheme with a gradient of its own for the weights (LSQ's clip) may ignore it and say so
     * @param context training or evaluation
     * @return the quantized weights in the shape of {@code shadow}
     */
    NDArray quantizeTrained(NDArray shadow, NDList trained, GradientEstimator estimator, QuantizationContext context);

    /**
     * The codes of these (detached) weights under these (detached) trained values: what the packed file stores.
     *
     * @param weights the weights, off the tape
     * @param trained the trained values, off the tape, in the order of {@link #trainedValues}
     * @return float32 codes in {@code [0, k)}, the shape of {@code weights}
     */
    NDArray codes(NDArray weights, NDList trained);

    /**
     * The scales the packed file stores for these weights under these trained values, in the form
     * {@link Quantizer#scale} has: the trained step (LSQ), 1 for a scheme whose levels are trained (TTQ), or
     * a scale computed from the weights (a scheme that trains only its thresholds). By default
     * {@link #packedScale(NDList)}, for schemes whose scale depends on the trained values alone.
     *
     * @param weights the weights, off the tape
     * @param trained the trained values, off the tape, in the order of {@link #trainedValues}
     * @return the scales (with zero points stacked on a leading axis for an {@link #affine()} scheme)
     */
    default NDArray packedScale(NDArray weights, NDList trained) {
        return packedScale(trained);
    }

    /**
     * The scales for these trained values alone; a scheme whose scale depends on the weights overrides
     * {@link #packedScale(NDArray, NDList)} instead and never needs this.
     *
     * @param trained the trained values, off the tape, in the order of {@link #trainedValues}
     * @return the scales, in the form {@link Quantizer#scale} has
     * @throws UnsupportedOperationException unless overridden
     */
    default NDArray packedScale(NDList trained) {
        throw new UnsupportedOperationException(getClass().getName() + " overrides neither packedScale(weights,"
                + " trained) nor packedScale(trained)");
    }

    /**
     * The alphabet the packed file stores for this tensor: code c decodes to {@code packedAlphabet[c]}
     * times the scale. The quantizer's fixed alphabet by default; TTQ's is {@code (-Wn, 0, Wp)}.
     *
     * @param trained the trained values, off the tape, in the order of {@link #trainedValues}
     * @return the value of each code 0 .. k-1, before scaling
     * @throws java.util.NoSuchElementException by default, for a quantizer without an alphabet
     */
    default double[] packedAlphabet(NDList trained) {
        return alphabet().orElseThrow().values();
    }
}
