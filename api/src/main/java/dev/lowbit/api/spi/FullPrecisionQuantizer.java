package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import java.util.Optional;

/**
 * The identity, id {@code fp32}: the reference twin every low-bit run is compared with, and what a
 * layer policy gives the layers it keeps in full precision.
 *
 * <p>Stateless and immutable, so {@link #INSTANCE} is shared by every layer of every run. An architecture
 * never needs to name it ({@link dev.lowbit.api.spi.LayerPolicy#first} and {@code last} hand it out); a test
 * may use it as the quantizer of an fp32 model. It has no scale rule ({@code withScaleRule} throws
 * {@link IllegalArgumentException}) and no codes ({@code codes} and {@code values} throw
 * {@link UnsupportedOperationException}: fp32 weights are stored as floats).
 */
public class FullPrecisionQuantizer implements Quantizer {

    /** The id the fp32 twin is stored under; reports join runs to their twin by it. */
    public static final String ID = "fp32";

    /** The one instance layers use when a policy keeps them in fp32. */
    public static final FullPrecisionQuantizer INSTANCE = new FullPrecisionQuantizer();

    @Override
    public final String id() {
        return ID;
    }

    @Override
    public String description() {
        return "full precision 32-bit float (the reference twin)";
    }

    @Override
    public final Optional<Alphabet> alphabet() {
        return Optional.empty();
    }

    @Override
    public final String scaleRule() {
        return "none";
    }

    /** The identity has no scale: every rule is refused. */
    @Override
    public final Quantizer withScaleRule(ScaleSetting setting) {
        throw new IllegalArgumentException("Quantizer '" + ID + "' is full precision: it has no scale rule.");
    }

    @Override
    public final NDArray scale(NDArray weights) {
        return weights.getManager().create(1f);
    }

    @Override
    public final NDArray quantize(NDArray weights, NDArray scale) {
        return weights;
    }

    @Override
    public final NDArray quantize(NDArray weights) {
        return weights;
    }

    @Override
    public final NDArray codes(NDArray weights, NDArray scale) {
        throw new UnsupportedOperationException("fp32 weights are stored as floats, not as codes");
    }

    @Override
    public final NDArray values(NDArray codes) {
        throw new UnsupportedOperationException("fp32 weights are stored as floats, not as codes");
    }
}
