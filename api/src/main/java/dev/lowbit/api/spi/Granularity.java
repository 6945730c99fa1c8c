package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.List;

/**
 * How many scales a weight tensor has: one per tensor, one per output channel (axis 0: a row of a
 * linear weight, a filter of a conv kernel), or one per group of G consecutive weights along the input
 * axis of each output channel ({@code group:64}, as torchao's group-wise int-N and GPTQ-style schemes
 * use). Written after the scale rule in a spec: {@code ternary@mse/channel}, {@code k9@absmax/group:64}.
 *
 * <p>Groups run along each output channel's weights in row-major order, {@code in} for a linear
 * weight {@code (out, in)} and {@code in * kh * kw} for a conv kernel; when G does not divide that
 * length n, the last group of every channel is shorter ({@code n mod G} weights), so every layer takes
 * every G. Group scales have the compact shape {@code (out, ceil(n / G))}, which does not broadcast
 * against the weights: {@link #expand} gives one scale per weight. (A vector has one weight per
 * channel, so its groups are its channels.)
 *
 * <p>Once an enum: {@link #TENSOR} and {@link #CHANNEL} are still constants compared with {@code ==};
 * a plugin compiled against the enum that switches over it must be recompiled.
 *
 * <p>An immutable value, safe to share between threads; equal granularities have equal ids. A scale rule
 * receives one ({@link #TENSOR} or {@link #CHANNEL}, never a group: {@link ScaleSetting} splits groups into
 * per-channel calls) and reduces over {@link #rows} into {@link #scaleShape}.
 */
public final class Granularity {

    /** One scale per tensor. */
    public static final Granularity TENSOR = new Granularity("tensor", 0);
    /** One scale per output channel: per row of a linear weight, per filter of a conv kernel. */
    public static final Granularity CHANNEL = new Granularity("channel", 0);

    private static final String GROUP_PREFIX = "group:";
    /** Groups larger than this are per channel in all but name; the bound keeps ids short. */
    public static final int LARGEST_GROUP = 1 << 20;

    private final String id;
    private final int groupSize;

    private Granularity(String id, int groupSize) {
        this.id = id;
        this.groupSize = groupSize;
    }

    /**
     * Groups of {@code size} consecutive weights along each output channel's input axis.
     * @param size G, the weights per group
     * @return the granularity {@code group:G}
     *
     * @throws IllegalArgumentException unless {@code 1 <= size <=} {@link #LARGEST_GROUP}
     */
    public static Granularity group(int size) {
        if (size < 1 || size > LARGEST_GROUP) {
            throw new IllegalArgumentException(
                    "A group size must be from 1 to " + LARGEST_GROUP + ", got " + size + ", e.g. group:64.");
        }
        return new Granularity(GROUP_PREFIX + size, size);
    }

    /**
     * The fixed granularities, and the form of the group one, for messages.
     *
     * @return {@code [tensor, channel, group:G]}
     */
    public static List<String> ids() {
        return List.of(TENSOR.id, CHANNEL.id, "group:G");
    }

    /**
     * The lower-case name used in quantizer specs, after the rule's {@code /}.
     *
     * @return {@code tensor}, {@code channel} or {@code group:G}, e.g. {@code group:64}
     */
    public String id() {
        return id;
    }

    /**
     * The granularity named {@code id}.
     *
     * @param id {@code tensor}, {@code channel} or {@code group:G}
     * @return {@link #TENSOR}, {@link #CHANNEL} or {@link #group(int) group(G)}
     * @throws IllegalArgumentException for any other id, listing the names that exist
     */
    public static Granularity byId(String id) {
        if (TENSOR.id.equals(id)) {
            return TENSOR;
        }
        if (CHANNEL.id.equals(id)) {
            return CHANNEL;
        }
        if (id.startsWith(GROUP_PREFIX)) {
            String size = id.substring(GROUP_PREFIX.length());
            if (size.matches("[1-9][0-9]{0,6}")) {
                return group(Integer.parseInt(size));
            }
        }
        throw new IllegalArgumentException(
                "No scale granularity '" + id + "'. Available: " + ids() + ", e.g. group:64.");
    }

    /**
     * Whether this is {@code group:G}.
     *
     * @return true for a group granularity
     */
    public boolean isGroup() {
        return groupSize > 0;
    }

    /**
     * The group size.
     *
     * @return G for {@code group:G}; 0 otherwise
     */
    public int groupSize() {
        return groupSize;
    }

    /** The weights of one output channel: everything after axis 0 (1 for a vector or a scalar). */
    static long rowLength(long[] shape) {
        if (shape.length <= 1) {
            return 1;
        }
        long n = 1;
        for (int i = 1; i < shape.length; i++) {
            n *= shape[i];
        }
        return n;
    }

    /**
     * Groups per output channel for weights of this shape.
     *
     * @param shape the weights' shape, output channels on axis 0
     * @return {@code ceil(n / G)} with n the weights per channel, or 1 unless grouped
     */
    public long groupsPerChannel(long[] shape) {
        return isGroup() ? (rowLength(shape) + groupSize - 1) / groupSize : 1;
    }

    /**
     * The weights as one row per scale, for reductions over axis 1, per tensor or per channel:
     * {@code (1, n)} per tensor, {@code (out, n / out)} per output channel (a conv kernel's
     * {@code (out, in, kh, kw)} becomes {@code (out, in * kh * kw)}; a vector's every element is its own
     * channel). A reshape, not a copy. Scale rules are called per tensor or per channel only: for groups,
     * {@link ScaleSetting} hands a rule the groups as the rows of a 2-D array, per channel.
     *
     * @param weights one weight tensor, output channels on axis 0
     * @return a 2-D view of {@code weights}, one row per scale
     * @throws IllegalStateException for a group granularity
     */
    public NDArray rows(NDArray weights) {
        if (isGroup()) {
            throw new IllegalStateException(
                    "rows() is per tensor or per channel; ScaleSetting splits " + id + " into per-channel calls");
        }
        long[] shape = weights.getShape().getShape();
        long channels = equals(TENSOR) || shape.length == 0 ? 1 : shape[0];
        return weights.reshape(channels, weights.size() / Math.max(1, channels));
    }

    /**
     * The shape of the scale for weights of this shape: a scalar per tensor, {@code (out, 1, ...)}
     * (as many dimensions as the weights) per output channel, so it broadcasts against them, and
     * {@code (out, groups)} per group (see {@link #expand}).
     *
     * @param weightShape the weights' shape, output channels on axis 0
     * @return the shape of their scales
     */
    public Shape scaleShape(Shape weightShape) {
        if (equals(TENSOR) || weightShape.dimension() == 0) {
            return new Shape();
        }
        long[] weights = weightShape.getShape();
        if (isGroup() && weights.length > 1) {
            return new Shape(weights[0], groupsPerChannel(weights));
        }
        long[] shape = new long[weightShape.dimension()];
        Arrays.fill(shape, 1);
        shape[0] = weightShape.get(0);
        return new Shape(shape);
    }

    /**
     * The number of scales stored for a tensor of this shape.
     *
     * @param shape the weights' shape, output channels on axis 0
     * @return 1 per tensor, the output channels per channel, channels times groups per channel per group
     */
    public long scaleCount(long[] shape) {
        if (equals(TENSOR) || shape.length == 0) {
            return 1;
        }
        return isGroup() ? shape[0] * groupsPerChannel(shape) : shape[0];
    }

    /**
     * Scales that broadcast against weights of this shape: unchanged per tensor and per channel; per group,
     * each group's scale repeated over its weights (a new array of the weights' shape).
     *
     * @param scale the scales in {@link #scaleShape} form
     * @param weightShape the weights' shape
     * @return scales that broadcast against the weights: {@code scale} itself unless grouped
     */
    public NDArray expand(NDArray scale, Shape weightShape) {
        if (!isGroup() || weightShape.dimension() <= 1) {
            return scale;
        }
        long[] weights = weightShape.getShape();
        long rows = weights[0];
        long n = weightShape.size() / rows;
        NDArray repeated = scale.reshape(rows, groupsPerChannel(weights)).repeat(1, groupSize);
        NDArray perWeight = repeated.getShape().get(1) == n ? repeated : repeated.get(":, :" + n);
        return perWeight.reshape(weightShape);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Granularity that && id.equals(that.id);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return id;
    }
}
