package dev.lowbit.api.spi;

/**
 * Makes quantizers from parameters written in a spec, e.g. {@code levels:-2,-1,1,2} for the factory
 * named {@code levels}. Found with {@link java.util.ServiceLoader} like quantizers
 * ({@code META-INF/services/dev.lowbit.api.spi.QuantizerFactory}).
 */
public interface QuantizerFactory {

    /** The stable name before the colon, {@code [a-z][a-z0-9.-]*}. */
    String name();

    /** One line for {@code lowbit list}: what the parameters are, with an example. */
    String description();

    /**
     * The quantizer for these parameters (the text after the colon).
     *
     * @throws IllegalArgumentException with a message that says what is wrong and the accepted form
     */
    Quantizer create(String parameters);
}
