package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;

/**
 * {@code lsq:K}: Learned Step Size Quantization of activations (Esser et al. 2020, arXiv:1902.08153),
 * signed levels {@code -Qn .. Qp} = {@code -2^(K-1) .. 2^(K-1) - 1} and a trained step s (one per layer):
 * <pre>
 *   Qa(x) = clip(round(x / s), -Qn, Qp) s
 *   dQa/dx = 1 where -Qn &lt;= x / s &lt;= Qp, else 0
 *   dQa/ds = round(x / s) - x / s inside, -Qn or Qp outside, times g = 1 / sqrt(n Qp)
 * </pre>
 * n is the number of elements of the input (batch included), as common LSQ implementations take it. The
 * paper initialises s = 2 mean |x| / sqrt(Qp) from the first batch; data is not seen before training, so
 * s starts at 2 / sqrt(Qp), mean |x| = 1 assumed for normalised inputs. The gradient of x is LSQ's own (the
 * clip): a {@code ~} estimator is ignored.
 */
public final class LsqActivationQuantizer extends BitCountActivationQuantizer {

    /** Qp = 2^(K-1) - 1. */
    private final int largest;

    /** The registered {@code lsq}, at its default bit count; a spec's {@code :K} configures another. */
    public LsqActivationQuantizer() {
        this(DEFAULT_BITS);
    }

    private LsqActivationQuantizer(int bits) {
        super("lsq", 2, bits, LsqQuantizerFactory.signedLevels(bits));
        this.largest = (1 << (bits - 1)) - 1;
    }

    @Override
    public String description() {
        return "LSQ activations: integers -2^(K-1)..2^(K-1)-1 times a trained step, K = 2..8 (Esser et al. 2020,"
                + " arXiv:1902.08153)";
    }

    @Override
    protected ActivationQuantizer withBits(int otherBits) {
        return new LsqActivationQuantizer(otherBits);
    }

    @Override
    public List<TrainedValue> trainedValues() {
        return List.of(new TrainedValue("step", new Shape(1)));
    }

    /** {@code 2 / sqrt(Qp)}: LSQ's {@code 2 mean|x| / sqrt(Qp)} with mean |x| = 1. */
    @Override
    public NDList initialValues(NDManager manager) {
        return new NDList(manager.create(new float[] {(float) (2 / Math.sqrt(largest))}, new Shape(1)));
    }

    /** The trained step, a copy of shape (1) owned by the input's manager. */
    @Override
    public NDArray scale(NDArray input, NDList trained) {
        NDArray step = trained.get(0).duplicate();
        step.attach(input.getManager());
        return step;
    }

    @Override
    public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
        return levels.snapOverwriting(input.div(scale)).muli(scale);
    }

    /** {@code (2 x / s + 1) / (2^K - 1)}: the levels -Qn and Qp at -1 and +1. */
    @Override
    public NDArray normalized(NDArray input, NDArray scale) {
        return input.div(scale)
                .muli(EngineScalars.of(2))
                .addi(EngineScalars.of(1))
                .divi(EngineScalars.of(2 * largest + 1));
    }

    /**
     * LSQ's recorded forward, as api's {@code StraightThrough} writes it for weights:
     * <pre>
     *   s' = s + (g s - sg(g s))              value s, gradient g
     *   v  = clip(x / s', -Qn, Qp)
     *   Qa = (round(sg(v)) + (v - sg(v))) s'
     * </pre>
     * The value is {@code quantize(x, s)} bit for bit. Owned by the input's manager.
     */
    @Override
    public NDArray quantizeTrained(
            NDArray input, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        NDManager scope = input.getManager();
        NDArray step = trained.get(0);
        NDArray x = Tape.detached(input, scope);
        NDArray stepValue = Tape.detached(step, scope);
        NDArray gradientScaled = scope.create((float) (1 / Math.sqrt((double) input.size() * largest)))
                .mul(step);
        NDArray scale = Tape.zeroWithGradient(gradientScaled, Tape.detached(gradientScaled, scope))
                .add(stepValue);
        NDArray ratio = input.div(scale);
        NDArray clipped = ratio.clip(-largest - 1, largest);
        NDArray rounded = levels.snapOverwriting(x.div(stepValue));
        return rounded.add(Tape.zeroWithGradient(clipped, Tape.detached(clipped, scope)))
                .mul(scale);
    }

    @Override
    public String toString() {
        return spec();
    }
}
