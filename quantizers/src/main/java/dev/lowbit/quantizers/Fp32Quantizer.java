package dev.lowbit.quantizers;

import dev.lowbit.api.spi.FullPrecisionQuantizer;

/** The identity, registered like every quantizer so {@code fp32} is found through the same door. */
public final class Fp32Quantizer extends FullPrecisionQuantizer {}
