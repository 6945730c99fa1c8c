package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;

/**
 * Quantizes the input of every quantized layer (a linear layer's features, a convolution's input
 * map), as Larq's {@code input_quantizer} and Brevitas' activation quantizers do: e.g. BitNet b1.58's
 * 8-bit per-token absmax, PACT's learned clip, DoReFa's k-bit [0, 1] activations, LSQ's learned step,
 * or sign. A layer computes {@code y = Qa(x) Q(W)^T + b}.
 *
 * <p>Training uses the same estimator scheme as weights:
 * <pre>
 *   s  = scale(x, trained)                     per call (dynamic, e.g. per token) or from trained values
 *   xq = quantize(x, s) + m * (x - stop_gradient(x)),   m = estimator.derivative(normalized(x, s))
 * </pre>
 * and a quantizer with trained values writes its own recorded forward ({@link #quantizeTrained}).
 *
 * <p><b>Who calls it, and when.</b> lowbit creates it through its public no-argument constructor each time a
 * command opens the plugins, and resolves a spec once per command through {@link #configure} (called again
 * with the options its {@link #spec()} writes, which must give the same spec). A layer whose input it
 * quantizes calls {@link #scale}, {@link #quantize} and {@link #normalized} (or {@link #quantizeTrained}) in
 * every forward pass: training steps, validation, the test set, and {@code lowbit eval}, which quantizes each
 * layer's input as training did.
 *
 * <p><b>Threads, state and failures.</b> Called from one thread at a time, but one configured instance serves
 * every layer and run of a command: keep no per-call state in fields (trained values live in the layers).
 * Arrays it creates belong to the batch. An {@link IllegalArgumentException} from {@link #configure} is bad
 * input (one line, exit code 2); whatever it throws while a run trains fails that run only, with a
 * {@link dev.lowbit.api.nn.QuantizerException} naming its spec and the layer.
 *
 * <p>Found with {@link java.util.ServiceLoader} (list the class, with a public no-argument constructor,
 * in {@code META-INF/services/dev.lowbit.api.spi.ActivationQuantizer}). A spec is the id, then options
 * the quantizer reads, then an optional estimator: {@code int8@absmax/token}, {@code pact:4},
 * {@code sign~approx-sign}; {@code none} (the default) quantizes no activations. The spec is stored in
 * results, and reports show weight and activation bits together (W1.58A8).
 * {@code ActivationQuantizerContract} in lowbit-testkit is the contract one passes.
 */
public interface ActivationQuantizer {

    /**
     * The stable id, the start of every spec of this quantizer, never renamed.
     *
     * @return the id, {@code [a-z][a-z0-9.-]*}, e.g. {@code int8}
     */
    String id();

    /**
     * One line for {@code lowbit list}, citing the paper the scheme comes from.
     *
     * @return the description
     */
    String description();

    /**
     * The configured quantizer as stored in results: the id followed by its options, e.g.
     * {@code int8@absmax/token}, {@code pact:4}; for {@code configure("")} the canonical default spelled out.
     *
     * @return the spec, starting with {@link #id()}; {@code configure} of its options gives this same spec
     */
    String spec();

    /**
     * Bits per quantized activation.
     *
     * @return e.g. 8, reported as A8
     */
    double bits();

    /**
     * This quantizer configured by the text a spec writes after its id ({@code ""}, {@code "@absmax/tensor"},
     * {@code ":4"}): an instance of this very class whose {@link #spec()} starts with its id. The default
     * takes only {@code ""} and returns {@code this}.
     *
     * @param options the text after the id (and before any {@code ~ESTIMATOR}); {@code ""} for none
     * @return an instance of this class configured by {@code options}
     * @throws IllegalArgumentException saying what is wrong and which options exist
     */
    default ActivationQuantizer configure(String options) {
        if (options.isEmpty()) {
            return this;
        }
        throw new IllegalArgumentException(
                "Activation quantizer '" + id() + "' takes no options (got '" + options + "').");
    }

    /**
     * The scale of this input: computed from it (absmax per token) or from the trained values (PACT's
     * clip over the levels). Off the tape; broadcastable against {@code input}.
     *
     * @param input the layer's input, off the tape: {@code (batch, features)} for a linear layer,
     *     {@code (batch, ..., features)} inside a transformer, {@code (batch, channels, height, width)}
     *     for a convolution
     * @param trained the trained values (detached), in the order of {@link #trainedValues()}; empty when none
     * @return positive float32 scales that broadcast against {@code input}
     */
    NDArray scale(NDArray input, NDList trained);

    /**
     * Qa(x) at scale s, off the tape: the forward value. Deterministic in evaluation; may draw from
     * {@code context} while training.
     *
     * @param input the layer's input, off the tape, left unchanged
     * @param scale what {@link #scale} returned for it
     * @param context whether this pass trains, and the run's random draws while it does
     * @return Qa(x), the shape of {@code input}
     */
    NDArray quantize(NDArray input, NDArray scale, QuantizationContext context);

    /**
     * The input in normalised units for the estimator: the outermost levels at +-1 (see {@link GradientEstimator}).
     *
     * @param input the layer's input, off the tape, left unchanged
     * @param scale what {@link #scale} returned for it
     * @return u, float32, the shape of {@code input}
     */
    NDArray normalized(NDArray input, NDArray scale);

    /**
     * The estimator used unless a spec names another with {@code ~}: the identity by default.
     *
     * @return the default estimator, never null ({@link GradientEstimator#STE} for the identity)
     */
    default GradientEstimator estimator() {
        return GradientEstimator.STE;
    }

    /**
     * Values trained with the model (PACT's clip alpha, LSQ's step), each one parameter per layer, named
     * {@code input_<name>}; none by default.
     *
     * @return the trained values, in a fixed order
     */
    default List<TrainedValue> trainedValues() {
        return List.of();
    }

    /**
     * Their initial values, in order, owned by {@code manager} (data is not seen before training starts).
     *
     * @param manager the manager that owns the arrays returned
     * @return one array per {@link #trainedValues()} entry, of its shape, in its order
     */
    default NDList initialValues(NDManager manager) {
        return new NDList();
    }

    /**
     * Qa(x) on the tape of the input and of the trained values, for a quantizer with trained values; its
     * value with {@link QuantizationContext#EVALUATION} equals {@code quantize(x, scale(x, trained))}.
     *
     * @param input the layer's input, on the tape
     * @param trained the trained values, in the order of {@link #trainedValues()}, recording gradients
     * @param estimator the estimator the spec chose ({@link #estimator()} unless a {@code ~} names another)
     * @param context training or evaluation
     * @return Qa(x), the shape of {@code input}, recorded so that the input and every trained value get a
     *     gradient
     * @throws UnsupportedOperationException by default: a quantizer with trained values must implement it
     */
    default NDArray quantizeTrained(
            NDArray input, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        throw new UnsupportedOperationException("Activation quantizer '" + id() + "' declares trained values but does"
                + " not implement quantizeTrained");
    }
}
