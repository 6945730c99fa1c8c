package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import java.util.List;

/**
 * {@code pact:K}: PACT (Choi et al. 2018, arXiv:1805.06085), unsigned K-bit activations under a trained
 * clip alpha (one per layer):
 * <pre>
 *   y  = clip(x, 0, alpha),   s = alpha / (2^K - 1),   Qa(x) = round(y / s) s
 *   dQa/dx = 1 for 0 &lt;= x &lt; alpha, else 0;   dQa/dalpha = 1 where x >= alpha, else 0
 * </pre>
 * (the straight-through estimator through the rounding, PACT's equations 3 and 4). alpha starts at 10,
 * the paper's initial value. The gradient of x inside the window is the estimator's: the own one is
 * {@code clipped}, which gives PACT's 1 on [0, alpha); another ({@code pact:4~approx-sign}) reshapes it
 * there, in units where 0 and alpha sit at -1 and +1. Above alpha the gradient always goes to alpha.
 */
public final class PactActivationQuantizer extends BitCountActivationQuantizer {

    /** PACT's initial clip. */
    public static final float INITIAL_CLIP = 10f;

    private static final GradientEstimator CLIPPED = new ClippedEstimator();

    /** 2^K - 1. */
    private final int steps;

    /** The registered {@code pact}, at its default bit count; a spec's {@code :K} configures another. */
    public PactActivationQuantizer() {
        this(DEFAULT_BITS);
    }

    private PactActivationQuantizer(int bits) {
        super("pact", 2, bits, unsignedLevels(bits));
        this.steps = (1 << bits) - 1;
    }

    @Override
    public String description() {
        return "PACT: round(clip(x, 0, alpha) / s) s, s = alpha / (2^K - 1), alpha trained from 10, K = 2..8"
                + " (Choi et al. 2018, arXiv:1805.06085)";
    }

    @Override
    protected ActivationQuantizer withBits(int otherBits) {
        return new PactActivationQuantizer(otherBits);
    }

    @Override
    public GradientEstimator estimator() {
        return CLIPPED;
    }

    @Override
    public List<TrainedValue> trainedValues() {
        return List.of(new TrainedValue("clip", new Shape(1)));
    }

    @Override
    public NDList initialValues(NDManager manager) {
        return new NDList(manager.create(new float[] {INITIAL_CLIP}, new Shape(1)));
    }

    /** {@code alpha / (2^K - 1)}, shape (1), owned by the input's manager. */
    @Override
    public NDArray scale(NDArray input, NDList trained) {
        NDArray scale = trained.get(0).div(EngineScalars.of(steps));
        scale.attach(input.getManager());
        return scale;
    }

    /** {@code round(clip(x / s, 0, 2^K - 1)) s}: the same as rounding {@code clip(x, 0, alpha) / s}. */
    @Override
    public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
        return levels.snapOverwriting(input.div(scale)).muli(scale);
    }

    /** {@code 2 x / alpha - 1}: 0 and alpha at -1 and +1. */
    @Override
    public NDArray normalized(NDArray input, NDArray scale) {
        return input.div(scale).muli(EngineScalars.of(2.0 / steps)).subi(EngineScalars.of(1));
    }

    /**
     * {@code Qa(x) + m [x < alpha] (x - sg(x)) + [x >= alpha] (alpha - sg(alpha))}, m the estimator's
     * derivative: the brackets are exactly zero, so the value is {@code quantize(x, scale(x, alpha))} bit
     * for bit. Owned by the input's manager.
     */
    @Override
    public NDArray quantizeTrained(
            NDArray input, NDList trained, GradientEstimator estimator, QuantizationContext context) {
        NDManager scope = input.getManager();
        NDArray clip = trained.get(0);
        NDArray x = Tape.detached(input, scope);
        NDArray alpha = Tape.detached(clip, scope);
        NDArray scale = alpha.div(EngineScalars.of(steps));
        NDArray value = quantize(x, scale, context);
        NDArray inside;
        try (NDArray u = normalized(x, scale);
                NDArray derivative = estimator.derivative(u);
                NDArray below = x.lt(alpha);
                NDArray belowClip = below.toType(DataType.FLOAT32, false)) {
            inside = derivative.mul(belowClip);
        }
        NDArray above;
        try (NDArray atOrAbove = x.gte(alpha)) {
            above = atOrAbove.toType(DataType.FLOAT32, false);
        }
        NDArray inputPath = inside.mul(Tape.zeroWithGradient(input, x));
        NDArray clipPath = above.mul(Tape.zeroWithGradient(clip, alpha));
        return value.add(inputPath).add(clipPath);
    }

    @Override
    public String toString() {
        return spec();
    }
}
