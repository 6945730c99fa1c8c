package dev.lowbit.format.packing;

import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.util.Pair;
import dev.lowbit.api.nn.QuantizedBlock;
import dev.lowbit.api.nn.QuantizedBlocks;
import dev.lowbit.api.nn.QuantizedWeight;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.ByteAccount;
import dev.lowbit.format.lbw.CodeStatistics;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.TensorMemory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Counts parameters and memory tiers of an initialised model, per tensor and in total (see
 * {@link MemoryRecord} for the tiers). A tensor counts as quantized exactly when it is the shadow
 * weight of a {@link QuantizedBlock} whose quantizer is not full precision. Its trained values (LSQ's
 * scale, TTQ's magnitudes) are counted with it, as its scales: the fp32 numbers stored beside the
 * codes. An input quantizer's trained values are ordinary fp32 parameters.
 */
public final class MemoryAccounting {

    private MemoryAccounting() {}

    /** The fp32 and ideal tiers of an initialised block. */
    public static MemoryRecord of(Block model) {
        Map<Parameter, QuantizedWeight> quantized = QuantizedBlocks.weights(model);
        Set<Parameter> trainedValues = QuantizedBlocks.trainedValues(quantized);
        List<TensorMemory> tensors = new ArrayList<>();
        boolean mixed = quantized.values().stream()
                        .map(w -> w.quantizer().alphabet().orElseThrow())
                        .distinct()
                        .count()
                > 1;
        for (Pair<String, Parameter> entry : model.getParameters()) {
            Parameter parameter = entry.getValue();
            if (trainedValues.contains(parameter)) {
                continue; // counted with its weight, as that tensor's scales
            }
            long[] shape = parameter.getArray().getShape().getShape();
            long elements = parameter.getArray().size();
            QuantizedWeight weight = quantized.get(parameter);
            Quantizer quantizer = weight == null ? null : weight.quantizer();
            long scales = quantizer == null ? 0 : scales(weight, shape);
            double bits = quantizer == null ? 32 : quantizer.bitsPerWeight();
            TensorMemory tensor = new TensorMemory(
                    entry.getKey(),
                    Arrays.stream(shape).boxed().toList(),
                    quantizer != null,
                    elements,
                    scales,
                    bits,
                    4.0 * elements,
                    (bits * elements + 32.0 * scales) / 8,
                    null,
                    null,
                    null);
            // Under a layer map layers differ: each names its own alphabet, so reports count its levels right.
            tensors.add(
                    mixed && quantizer != null
                            ? tensor.withValues(Arrays.stream(
                                            quantizer.alphabet().orElseThrow().values())
                                    .boxed()
                                    .toList())
                            : tensor);
        }
        return totals(tensors, null, null, null);
    }

    /**
     * The same record with what the written file measured: its size, the packed codes' bytes, each
     * tensor's section and the entropy of the codes it holds.
     */
    public static MemoryRecord withPacked(MemoryRecord memory, PackedModel packed, ByteAccount bytes) {
        List<TensorMemory> tensors = new ArrayList<>();
        double entropyBits = 0;
        for (TensorMemory tensor : memory.tensors()) {
            ByteAccount.TensorBytes section = bytes.tensors().stream()
                    .filter(t -> t.name().equals(tensor.name()))
                    .findFirst()
                    .orElseThrow(() ->
                            new IllegalArgumentException("The packed file has no tensor '" + tensor.name() + "'"));
            PackedTensor stored = packed.tensor(tensor.name());
            if (stored instanceof QuantizedTensor codes) {
                long[] histogram = CodeStatistics.histogram(codes.codes(), codes.levels());
                double entropy = CodeStatistics.entropyBits(histogram);
                entropyBits += entropy * tensor.elements() + 32.0 * tensor.scales();
                tensors.add(tensor.withPacked(
                        section.sectionBytes(),
                        entropy,
                        Arrays.stream(histogram).boxed().toList()));
            } else {
                entropyBits += 32.0 * tensor.elements();
                tensors.add(tensor.withPacked(section.sectionBytes(), null, null));
            }
        }
        return totals(tensors, bytes.fileBytes(), bytes.quantizedPayloadBytes(), entropyBits / 8);
    }

    private static MemoryRecord totals(
            List<TensorMemory> tensors, Long packedBytes, Long packedWeightBytes, Double entropyBytes) {
        long parameters = tensors.stream().mapToLong(TensorMemory::elements).sum();
        long quantizedWeights = tensors.stream()
                .filter(TensorMemory::quantized)
                .mapToLong(TensorMemory::elements)
                .sum();
        long scales = tensors.stream().mapToLong(TensorMemory::scales).sum();
        double idealBytes =
                tensors.stream().mapToDouble(TensorMemory::idealBytes).sum();
        return new MemoryRecord(
                parameters,
                quantizedWeights,
                scales,
                4.0 * parameters,
                idealBytes,
                packedBytes,
                packedWeightBytes,
                entropyBytes,
                tensors);
    }

    /**
     * The fp32 numbers stored beside a quantized tensor's codes: its trained values' elements when it has
     * any (LSQ's scale has {@link Quantizer#scaleCount} of them, as the rule's scales would), else the
     * quantizer's {@link Quantizer#scaleCount}.
     */
    private static long scales(QuantizedWeight weight, long[] shape) {
        if (weight.trainedValues().isEmpty()) {
            return weight.quantizer().scaleCount(shape);
        }
        return weight.trainedValues().stream()
                .mapToLong(p -> p.getArray().size())
                .sum();
    }
}
