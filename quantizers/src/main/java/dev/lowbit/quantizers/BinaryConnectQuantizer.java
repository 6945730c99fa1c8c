package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code binaryconnect}: deterministic BinaryConnect (Courbariaux, Bengio and David 2015, arXiv:1511.00363),
 * {@code Wb = s sign(W)}, trained with the clipped straight-through estimator. The default scale rule,
 * absmax per tensor, puts the paper's clip window [-1, 1] at the largest weight; any other rule may be
 * named ({@code binaryconnect@absmean/channel}).
 */
public class BinaryConnectQuantizer extends AlphabetQuantizer {

    private static final GradientEstimator CLIPPED = new ClippedEstimator();

    public BinaryConnectQuantizer() {
        this("binaryconnect", "BinaryConnect: Wb = s sign(W), clipped STE (Courbariaux et al. 2015, arXiv:1511.00363)");
    }

    /** For variants with their own id (the stochastic one); the same alphabet, rule and estimator. */
    protected BinaryConnectQuantizer(String id, String description) {
        super(id, description, Alphabet.of(-1, 1), ScaleRules.parse("absmax/tensor"));
    }

    /** The clipped straight-through estimator: the gradient is cancelled where |W| exceeds s. */
    @Override
    public GradientEstimator estimator() {
        return CLIPPED;
    }
}
