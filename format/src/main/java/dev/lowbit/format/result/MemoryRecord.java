package dev.lowbit.format.result;

import java.util.List;

/**
 * Parameter counts and memory tiers of a model, in total and per tensor.
 * <pre>
 *   fp32     4 bytes per parameter
 *   ideal    log2(k) bits per quantized weight, 32 bits per other parameter and per scale
 *   packed   the size of the written .lbw file (header, codes, scales, fp32 tensors, checksum)
 *   entropy  like ideal, with the empirical entropy of the codes used instead of log2(k)
 * </pre>
 *
 * @param parameters all trainable parameters (a learned scale counts as a scale, not here)
 * @param quantizedWeights parameters stored on the quantizer's alphabet
 * @param scales fp32 scale factors stored beside the quantized tensors
 * @param fp32Bytes bytes if every parameter were fp32
 * @param idealBytes the ideal tier
 * @param packedBytes the .lbw file's size, or null before packing
 * @param packedWeightBytes the packed codes alone (what bits per quantized weight is measured from), or null
 * @param entropyBytes the entropy tier, or null before packing
 * @param tensors one row per parameter tensor
 */
public record MemoryRecord(
        long parameters,
        long quantizedWeights,
        long scales,
        double fp32Bytes,
        double idealBytes,
        Long packedBytes,
        Long packedWeightBytes,
        Double entropyBytes,
        List<TensorMemory> tensors) {

    public MemoryRecord {
        tensors = tensors == null ? List.of() : List.copyOf(tensors);
    }

    /** The ideal tiers only, before a file was written. */
    public MemoryRecord(long parameters, long quantizedWeights, long scales, double fp32Bytes, double idealBytes) {
        this(parameters, quantizedWeights, scales, fp32Bytes, idealBytes, null, null, null, List.of());
    }

    /** fp32 bytes divided by ideal bytes. */
    public double compression() {
        return idealBytes == 0 ? 0 : fp32Bytes / idealBytes;
    }

    /** Packed code bits per quantized weight, measured from the file; NaN before packing or without quantized weights. */
    public double packedBitsPerWeight() {
        return packedWeightBytes == null || quantizedWeights == 0
                ? Double.NaN
                : 8.0 * packedWeightBytes / quantizedWeights;
    }
}
