package dev.lowbit.api.spi;

import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A value a quantizer trains together with the model, e.g. LSQ's scale, TTQ's two magnitudes or
 * PACT's clip: a DJL parameter of the layer, saved in every checkpoint and folded into the packed file.
 * A {@link LearnedQuantizer} or an {@link ActivationQuantizer} declares its trained values; an immutable value.
 *
 * @param name the parameter's name within its layer, {@code [a-z][a-z0-9_]*}; not {@code weight} or
 *     {@code bias}, and unique within the quantizer
 * @param shape its shape
 */
public record TrainedValue(String name, Shape shape) {

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Set<String> RESERVED = Set.of("weight", "bias");

    /**
     * A trained value's declaration.
     *
     * @param name the parameter's name within its layer, {@code [a-z][a-z0-9_]*}, not {@code weight} or
     *     {@code bias}
     * @param shape its shape
     * @throws NullPointerException when {@code name} or {@code shape} is null
     * @throws IllegalArgumentException for a name of another form, or a reserved one
     */
    public TrainedValue {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(shape, "shape");
        if (!NAME.matcher(name).matches() || RESERVED.contains(name)) {
            throw new IllegalArgumentException(
                    "Invalid trained value name '" + name + "': use [a-z][a-z0-9_]*, not 'weight' or 'bias'.");
        }
    }
}
