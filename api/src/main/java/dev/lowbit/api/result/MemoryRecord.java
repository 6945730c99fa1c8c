package dev.lowbit.api.result;

/**
 * Parameter counts and memory tiers of a built model.
 *
 * @param parameters all trainable parameters
 * @param quantizedWeights parameters stored on the quantizer's alphabet
 * @param scales fp32 scale factors stored beside the quantized tensors
 * @param fp32Bytes bytes if every parameter were fp32
 * @param idealBytes log2(k) bits per quantized weight, 32 bits per other parameter and per scale
 */
public record MemoryRecord(
        long parameters, long quantizedWeights, long scales, double fp32Bytes, double idealBytes) {

    /** fp32 bytes divided by ideal bytes. */
    public double compression() {
        return idealBytes == 0 ? 0 : fp32Bytes / idealBytes;
    }
}
