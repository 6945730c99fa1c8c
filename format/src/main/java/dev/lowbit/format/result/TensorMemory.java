package dev.lowbit.format.result;

import java.util.List;

/**
 * The memory of one parameter tensor (a row of the per-layer table).
 *
 * @param name the parameter's name in the model
 * @param shape its shape
 * @param quantized whether it is stored as codes on an alphabet
 * @param elements its element count
 * @param scales fp32 scales stored with it (0 for an fp32 tensor)
 * @param bitsPerWeight log2(k) for a quantized tensor, 32 otherwise
 * @param fp32Bytes {@code 4 * elements}
 * @param idealBytes {@code (bitsPerWeight * elements + 32 * scales) / 8}
 * @param packedBytes bytes of its section in the written .lbw file (framing, codes, scales), or null before packing
 * @param entropyBitsPerWeight empirical entropy of the codes actually used, or null (fp32, or before packing)
 * @param levelCounts how many weights sit on each alphabet value, smallest first, or null
 * @param values this tensor's alphabet before scaling, smallest first, or null when it is the run
 *     quantizer's (every run before layer maps) or not known; a layer map gives layers alphabets of
 *     their own, and the level counts are counts of these values
 */
public record TensorMemory(
        String name,
        List<Long> shape,
        boolean quantized,
        long elements,
        long scales,
        double bitsPerWeight,
        double fp32Bytes,
        double idealBytes,
        Long packedBytes,
        Double entropyBitsPerWeight,
        List<Long> levelCounts,
        List<Double> values) {

    public TensorMemory {
        shape = List.copyOf(shape);
        levelCounts = levelCounts == null ? null : List.copyOf(levelCounts);
        values = values == null ? null : List.copyOf(values);
    }

    /** A row whose alphabet is the run quantizer's (or none: an fp32 tensor). */
    public TensorMemory(
            String name,
            List<Long> shape,
            boolean quantized,
            long elements,
            long scales,
            double bitsPerWeight,
            double fp32Bytes,
            double idealBytes,
            Long packedBytes,
            Double entropyBitsPerWeight,
            List<Long> levelCounts) {
        this(
                name,
                shape,
                quantized,
                elements,
                scales,
                bitsPerWeight,
                fp32Bytes,
                idealBytes,
                packedBytes,
                entropyBitsPerWeight,
                levelCounts,
                null);
    }

    /** This row with what the packed file measured. */
    public TensorMemory withPacked(long packed, Double entropy, List<Long> counts) {
        return new TensorMemory(
                name,
                shape,
                quantized,
                elements,
                scales,
                bitsPerWeight,
                fp32Bytes,
                idealBytes,
                packed,
                entropy,
                counts,
                values);
    }

    /** This row with its own alphabet, for a layer a layer map gave another quantizer than the run's. */
    public TensorMemory withValues(List<Double> alphabet) {
        return new TensorMemory(
                name,
                shape,
                quantized,
                elements,
                scales,
                bitsPerWeight,
                fp32Bytes,
                idealBytes,
                packedBytes,
                entropyBitsPerWeight,
                levelCounts,
                alphabet);
    }
}
