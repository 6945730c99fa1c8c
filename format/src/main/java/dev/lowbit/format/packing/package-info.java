/**
 * The bridge between a DJL model built on lowbit-api's quantized blocks and what lowbit stores about it:
 * {@link dev.lowbit.format.packing.ModelPacking} packs a trained model into the {@code .lbw} form and
 * initialises an fp32 model from one; {@link dev.lowbit.format.packing.MemoryAccounting} counts its
 * parameters and memory tiers into a {@link dev.lowbit.format.result.MemoryRecord}. The one package of
 * lowbit-format that uses the plugin api; plugins never need it.
 */
package dev.lowbit.format.packing;
