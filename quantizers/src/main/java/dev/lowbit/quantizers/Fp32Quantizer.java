package dev.lowbit.quantizers;

import ai.djl.ndarray.NDArray;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.Optional;

/** The identity: the fp32 twin every low-bit run is compared with. */
public final class Fp32Quantizer implements Quantizer {

    /** The id the fp32 twin is stored under; reports join runs to their twin by it. */
    public static final String ID = "fp32";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "full precision 32-bit float (the reference twin)";
    }

    @Override
    public Optional<Alphabet> alphabet() {
        return Optional.empty();
    }

    @Override
    public String scaleRule() {
        return "none";
    }

    @Override
    public NDArray scale(NDArray weights) {
        return weights.getManager().create(1f);
    }

    @Override
    public NDArray quantize(NDArray weights, NDArray scale) {
        return weights;
    }

    @Override
    public NDArray quantize(NDArray weights) {
        return weights;
    }

    @Override
    public NDArray codes(NDArray weights, NDArray scale) {
        throw new UnsupportedOperationException("fp32 weights are stored as floats, not as codes");
    }

    @Override
    public NDArray values(NDArray codes) {
        throw new UnsupportedOperationException("fp32 weights are stored as floats, not as codes");
    }
}
