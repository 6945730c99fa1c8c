package dev.lowbit.api.spi;

/**
 * Makes quantizers from parameters written in a spec, e.g. {@code levels:-2,-1,1,2} for the factory
 * named {@code levels}. Found with {@link java.util.ServiceLoader} like quantizers
 * ({@code META-INF/services/dev.lowbit.api.spi.QuantizerFactory}; a public no-argument constructor).
 *
 * <p>lowbit calls {@link #create} when it resolves a spec {@code name:parameters}, once per spec and command,
 * and then uses the quantizer it returns exactly as a registered one (its {@link Quantizer#withScaleRule} for
 * {@code levels:-1,1@absmax}, its array methods in every forward pass), so the {@link Quantizer} contract holds
 * for it. A factory is called from one thread at a time and keeps no state between calls. An
 * {@link IllegalArgumentException} from {@code create} is bad input: lowbit prints its message as one line and
 * exits with code 2; anything else it throws is the plugin's fault and fails the runs that need it.
 */
public interface QuantizerFactory {

    /**
     * The stable name before the colon, persisted in results as part of every quantizer id it makes.
     *
     * @return the name, {@code [a-z][a-z0-9.-]*}, e.g. {@code levels}
     */
    String name();

    /**
     * One line for {@code lowbit list}.
     *
     * @return what the parameters are, with an example
     */
    String description();

    /**
     * The quantizer for these parameters (the text after the colon).
     *
     * @param parameters the text after {@code name:} in a spec, e.g. {@code -2,-1,1,2}; never null, maybe empty
     * @return a new quantizer whose {@link Quantizer#id()} is {@code name:} and the parameters, in a canonical
     *     form if the factory has one (the built-in {@code levels} writes its values sorted): results store it
     * @throws IllegalArgumentException with a message that says what is wrong and the accepted form
     */
    Quantizer create(String parameters);
}
