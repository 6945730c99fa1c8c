package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
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

    /** The axes a statistic is reduced over: all of them, or all but the output-channel axis. */
    public int[] reductionAxes(NDArray weights) {
        int first = this == TENSOR ? 0 : 1;
        int dimensions = weights.getShape().dimension();
        int[] axes = new int[Math.max(0, dimensions - first)];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = first + i;
        }
        return axes;
    }

    /** The number of scales stored for a tensor of this shape. */
    public long scaleCount(long[] shape) {
        return this == TENSOR || shape.length == 0 ? 1 : shape[0];
    }
}
