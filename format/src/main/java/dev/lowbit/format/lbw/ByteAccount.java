package dev.lowbit.format.lbw;

import java.util.List;

/**
 * Where the bytes of a {@code .lbw} file go: header, each tensor's section, checksum.
 *
 * <p>The parts add up to the file: {@code fileBytes = headerBytes + sum(sectionBytes) + checksumBytes}.
 *
 * @param fileBytes the size of the whole file
 * @param headerBytes magic, version, length, header checksum, metadata and tensor count
 * @param tensors one entry per tensor, in file order
 * @param checksumBytes the trailing checksum
 */
public record ByteAccount(long fileBytes, long headerBytes, List<TensorBytes> tensors, long checksumBytes) {

    /** Checks that the parts add up to the file size. */
    public ByteAccount {
        tensors = List.copyOf(tensors);
        long sum = headerBytes + checksumBytes;
        for (TensorBytes tensor : tensors) {
            sum += tensor.sectionBytes();
        }
        if (sum != fileBytes) {
            throw new IllegalArgumentException(
                    "Byte account parts add up to " + sum + ", not the file's " + fileBytes + " bytes");
        }
    }

    /** The bytes of packed codes over all quantized tensors. */
    public long quantizedPayloadBytes() {
        return tensors.stream()
                .filter(TensorBytes::quantized)
                .mapToLong(TensorBytes::payloadBytes)
                .sum();
    }

    /** The number of quantized weights over all quantized tensors. */
    public long quantizedElements() {
        return tensors.stream()
                .filter(TensorBytes::quantized)
                .mapToLong(TensorBytes::elements)
                .sum();
    }

    /** Packed weight bits per quantized weight, {@code 8 * payload / count}; 0 without quantized weights. */
    public double packedBitsPerQuantizedWeight() {
        long elements = quantizedElements();
        return elements == 0 ? 0 : 8.0 * quantizedPayloadBytes() / elements;
    }

    /**
     * The bytes of one tensor.
     *
     * @param name the tensor's name
     * @param quantized whether it is a {@link QuantizedTensor}
     * @param elements its element count
     * @param sectionBytes all bytes of its section: framing, shape, alphabet, payload, scales, and from
     *     version 2 the group size, zero points and extras
     * @param payloadBytes the packed codes of a quantized tensor, the raw floats of an fp32 one
     */
    public record TensorBytes(String name, boolean quantized, long elements, long sectionBytes, long payloadBytes) {

        /** Payload bits per element, {@code 8 * payloadBytes / elements}; 0 for an empty tensor. */
        public double payloadBitsPerElement() {
            return elements == 0 ? 0 : 8.0 * payloadBytes / elements;
        }
    }
}
