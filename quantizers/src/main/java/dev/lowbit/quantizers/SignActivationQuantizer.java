package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;

/**
 * {@code sign}: binary activations, as Binarized Neural Networks (Hubara et al. 2016, arXiv:1602.02830)
 * feed every binary layer:
 * <pre>    Qa(x) = sign(x) in {-1, +1} (0 to +1),   dQa/dx = 1 where |x| &lt;= 1 (clipped STE)</pre>
 * The scale is 1; {@code sign~approx-sign} is Bi-Real Net's activation, {@code sign~swish-sign} BNN+'s.
 */
public final class SignActivationQuantizer implements ActivationQuantizer {

    private static final GradientEstimator CLIPPED = new ClippedEstimator();

    @Override
    public String id() {
        return "sign";
    }

    @Override
    public String description() {
        return "BNN's binary activations: sign(x) in {-1, 1}, clipped STE (Hubara et al. 2016, arXiv:1602.02830)";
    }

    @Override
    public String spec() {
        return "sign";
    }

    @Override
    public double bits() {
        return 1;
    }

    @Override
    public GradientEstimator estimator() {
        return CLIPPED;
    }

    /** 1, a 0-d float32 array owned by the input's manager. */
    @Override
    public NDArray scale(NDArray input, NDList trained) {
        return input.getManager().create(1f);
    }

    /** {@code s} where x >= 0, {@code -s} where x &lt; 0. */
    @Override
    public NDArray quantize(NDArray input, NDArray scale, QuantizationContext context) {
        try (NDArray nonNegative = input.gte(EngineScalars.of(0));
                NDArray ones = nonNegative.toType(DataType.FLOAT32, false)) {
            return ones.mul(EngineScalars.of(2)).subi(EngineScalars.of(1)).muli(scale);
        }
    }

    /** {@code x / s}. */
    @Override
    public NDArray normalized(NDArray input, NDArray scale) {
        return input.div(scale);
    }

    @Override
    public String toString() {
        return spec();
    }
}
