package dev.lowbit.format.lbw;

/**
 * A packed model read from a file, with the file's byte account.
 *
 * @param model the content
 * @param bytes where the file's bytes go
 */
public record LoadedModel(PackedModel model, ByteAccount bytes) {}
