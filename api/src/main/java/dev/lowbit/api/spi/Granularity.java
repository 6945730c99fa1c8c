package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.Locale;

/** Whether one scale covers a whole weight tensor or each output channel (axis 0) has its own. */
public enum Granularity {
    /** One scale per tensor. */
    TENSOR,
    /** One scale per output channel: per row of a linear weight, per filter of a conv kernel. */
    CHANNEL;

    /** The lower-case name used in quantizer specs, e.g. {@code ternary@mse/channel}. */
    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The granularity named {@code id}, or an exception listing the names that exist. */
    public static Granularity byId(String id) {
        for (Granularity granularity : values()) {
            if (granularity.id().equals(id)) {
                return granularity;
            }
        }
        throw new IllegalArgumentException("No scale granularity '" + id + "'. Available: "
                + Arrays.stream(values()).map(Granularity::id).toList() + ".");
    }

    /**
     * The weights as one row per scale, for reductions over axis 1: {@code (1, n)} per tensor,
     * {@code (out, n / out)} per output channel (a conv kernel's {@code (out, in, kh, kw)} becomes
     * {@code (out, in * kh * kw)}; a vector's every element is its own channel). A reshape, not a copy.
     */
    public NDArray rows(NDArray weights) {
        long[] shape = weights.getShape().getShape();
        long channels = this == TENSOR || shape.length == 0 ? 1 : shape[0];
        return weights.reshape(channels, weights.size() / Math.max(1, channels));
    }

    /**
     * The shape of the scale for weights of this shape: a scalar per tensor, {@code (out, 1, ...)}
     * (as many dimensions as the weights) per output channel, so it broadcasts against them.
     */
    public Shape scaleShape(Shape weightShape) {
        if (this == TENSOR || weightShape.dimension() == 0) {
            return new Shape();
        }
        long[] shape = new long[weightShape.dimension()];
        Arrays.fill(shape, 1);
        shape[0] = weightShape.get(0);
        return new Shape(shape);
    }

    /** The number of scales stored for a tensor of this shape. */
    public long scaleCount(long[] shape) {
        return this == TENSOR || shape.length == 0 ? 1 : shape[0];
    }
}
