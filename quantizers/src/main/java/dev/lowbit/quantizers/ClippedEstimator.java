package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code clipped}: the straight-through estimator cancelled outside the alphabet's range, as BinaryConnect
 * (Courbariaux et al. 2015) and Binarized Neural Networks (Hubara et al. 2016, arXiv:1602.02830) train
 * sign(x):
 * <pre>    dQ/dx = 1 where |u| &lt;= 1, else 0</pre>
 * u being x in the quantizer's units (the outermost levels at -1 and +1).
 */
public final class ClippedEstimator implements GradientEstimator {

    @Override
    public String id() {
        return "clipped";
    }

    @Override
    public String description() {
        return "BNN's clipped straight-through: 1 where |u| <= 1, else 0 (Hubara et al. 2016, arXiv:1602.02830)";
    }

    @Override
    public NDArray derivative(NDArray normalized) {
        try (NDArray magnitude = normalized.abs();
                NDArray inside = magnitude.lte(EngineScalars.of(1))) {
            return inside.toType(DataType.FLOAT32, false);
        }
    }

    @Override
    public String toString() {
        return id();
    }
}
