package dev.lowbit.format.lbw;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The content of a {@code .lbw} file: the run's metadata and the model's tensors, in order.
 *
 * @param metadata key/value pairs the caller chooses (architecture, quantizer, input shape, classes,
 *     normalisation ...); copied in, iteration order kept
 * @param tensors the tensors, names unique; copied in
 */
public record PackedModel(Map<String, String> metadata, List<PackedTensor> tensors) {

    /** Rejects null keys, values and tensors, and duplicate tensor names. */
    public PackedModel {
        if (metadata == null || tensors == null) {
            throw new IllegalArgumentException("A packed model needs metadata and tensors (either may be empty)");
        }
        Map<String, String> copy = new LinkedHashMap<>();
        metadata.forEach((key, value) -> {
            if (key == null || value == null) {
                throw new IllegalArgumentException("Packed model metadata cannot hold null, got " + key + "=" + value);
            }
            copy.put(key, value);
        });
        metadata = Collections.unmodifiableMap(copy);
        Set<String> names = new HashSet<>();
        for (PackedTensor tensor : tensors) {
            if (tensor == null) {
                throw new IllegalArgumentException("A packed model cannot hold a null tensor");
            }
            if (!names.add(tensor.name())) {
                throw new IllegalArgumentException("A packed model holds two tensors named '" + tensor.name() + "'");
            }
        }
        tensors = List.copyOf(tensors);
    }

    /** The tensor of that name. */
    public PackedTensor tensor(String name) {
        for (PackedTensor tensor : tensors) {
            if (tensor.name().equals(name)) {
                return tensor;
            }
        }
        throw new IllegalArgumentException("The packed model has no tensor '" + name + "'; it has "
                + tensors.stream().map(PackedTensor::name).toList());
    }
}
