package dev.lowbit.quantizers;

import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;

/**
 * {@code binaryconnect}: deterministic BinaryConnect (Courbariaux, Bengio and David 2015, arXiv:1511.00363),
 * {@code Wb = s sign(W)}, trained with the clipped straight-through estimator (zero gradient where
 * |W| > s). The paper binarises to +-1 and relies on batch normalisation to rescale; lowbit's networks
 * need not have it (the FCNNs do not), so the default scale is absmean per tensor, s = mean |W|, which keeps
 * every layer's output at the fp32 layer's scale. Measured on fcnn-small (10,000 images, 2 epochs, seed 1):
 * test accuracy 0.815 with absmean, 0.748 with absmax; the stochastic variant 0.769 with absmean and 0.128
 * (no learning) with absmax, whose +-max|W| noise swamps the signal. Any other rule may be named
 * ({@code binaryconnect@absmax}, {@code binaryconnect@absmean/channel}).
 */
public class BinaryConnectQuantizer extends AlphabetQuantizer {

    private static final GradientEstimator CLIPPED = new ClippedEstimator();

    /** The registered {@code binaryconnect}, as {@link java.util.ServiceLoader} creates it. */
    public BinaryConnectQuantizer() {
        this("binaryconnect", "BinaryConnect: Wb = s sign(W), clipped STE (Courbariaux et al. 2015, arXiv:1511.00363)");
    }

    /**
     * For variants with their own id (the stochastic one); the same alphabet, rule and estimator.
     *
     * @param id the variant's id
     * @param description one line for {@code lowbit list}
     */
    protected BinaryConnectQuantizer(String id, String description) {
        super(id, description, Alphabet.of(-1, 1), ScaleRules.parse("absmean/tensor"));
    }

    /** The clipped straight-through estimator: the gradient is cancelled where |W| exceeds s. */
    @Override
    public GradientEstimator estimator() {
        return CLIPPED;
    }
}
