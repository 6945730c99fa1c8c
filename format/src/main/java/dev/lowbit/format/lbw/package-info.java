/**
 * The {@code .lbw} packed-model format: a trained model's quantized weights as integer codes packed at
 * close to log2(k) bits per weight ({@link dev.lowbit.format.lbw.RadixPacking}), with their scales, zero
 * points and the fp32 tensors beside them ({@link dev.lowbit.format.lbw.PackedModel}); written and read,
 * every length and checksum checked, by {@link dev.lowbit.format.lbw.LbwFile}. A file decodes without the
 * quantizer that made it, and without lowbit's plugin api: nothing here depends on it.
 */
package dev.lowbit.format.lbw;
