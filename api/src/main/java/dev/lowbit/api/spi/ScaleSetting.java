package dev.lowbit.api.spi;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Objects;
import java.util.function.Function;

/**
 * A scale rule at a granularity, written {@code rule/granularity} (e.g. {@code mse/tensor}) in
 * quantizer specs and results. lowbit builds it from the rule a spec names ({@code k9@myrule/channel})
 * and hands it to {@link Quantizer#withScaleRule(ScaleSetting)}.
 *
 * <p>An immutable value (as immutable as its rule); a quantizer keeps the one it is configured with and
 * computes its scales through {@link #scale} or {@link #scaleAndZeroPoint}, which call the rule.
 *
 * @param rule how the scale is computed
 * @param granularity per tensor, per output channel or per group of G weights along each output channel
 */
public record ScaleSetting(ScaleRule rule, Granularity granularity) {

    /**
     * A rule at a granularity.
     *
     * @param rule how the scale is computed
     * @param granularity per tensor, per output channel or per group
     * @throws NullPointerException when either is null
     */
    public ScaleSetting {
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(granularity, "granularity");
    }

    /**
     * Parses {@code rule} or {@code rule/granularity}; the granularity defaults to per tensor.
     *
     * @param text e.g. {@code mse}, {@code absmax/channel} or {@code absmax/group:64}
     * @param ruleById the rule with an id, or an exception saying which exist
     * @return the setting
     * @throws IllegalArgumentException for an unknown granularity, listing those that exist
     */
    public static ScaleSetting parse(String text, Function<String, ScaleRule> ruleById) {
        int slash = text.indexOf('/');
        String ruleId = slash < 0 ? text : text.substring(0, slash);
        Granularity granularity = slash < 0 ? Granularity.TENSOR : Granularity.byId(text.substring(slash + 1));
        return new ScaleSetting(ruleById.apply(ruleId), granularity);
    }

    /**
     * The scale of {@code weights} under this rule and granularity, for {@code alphabet}: what the rule
     * gives per tensor or per channel, and for {@code group:G} the compact {@code (out, groups)} scales of
     * {@link Granularity#scaleShape}. A rule never sees a group granularity: viewing the weights as rows
     * {@code (out, n)}, the full groups of every row go to it as the rows of one {@code (out * n / G, G)}
     * array and, when G does not divide n, the shorter last groups as the rows of one {@code (out, n mod G)}
     * array, both per channel; their scales are put back in row-major order. (A vector's groups are its
     * channels.)
     *
     * @param weights one weight tensor, output channels on axis 0, left unchanged
     * @param alphabet the values the weights are snapped to
     * @return positive float32 scales of {@code granularity.scaleShape(weights.getShape())}
     */
    public NDArray scale(NDArray weights, Alphabet alphabet) {
        if (!granularity.isGroup()) {
            return rule.scale(weights, alphabet, granularity);
        }
        return perGroup(weights, 1, rows -> new NDList(rule.scale(rows, alphabet, Granularity.CHANNEL)))
                .get(0);
    }

    /**
     * The scales and zero points of {@code weights} under an {@link ScaleRule#affine() affine} rule, stacked on
     * a new leading axis: plane 0 is {@link #scale}, plane 1 the rule's {@link ScaleRule#zeroPoint} computed
     * from the same weights (per group as {@link #scale} describes), of the same shape.
     *
     * @param weights one weight tensor, output channels on axis 0, left unchanged
     * @param alphabet the values the weights are snapped to
     * @return the scales and zero points, with a leading axis of length 2
     */
    public NDArray scaleAndZeroPoint(NDArray weights, Alphabet alphabet) {
        NDList planes;
        if (granularity.isGroup()) {
            planes = perGroup(weights, 2, rows -> scaleAndZeroPoint(rows, alphabet, Granularity.CHANNEL));
        } else {
            planes = scaleAndZeroPoint(weights, alphabet, granularity);
        }
        try (planes) {
            return NDArrays.stack(planes);
        }
    }

    private NDList scaleAndZeroPoint(NDArray weights, Alphabet alphabet, Granularity perRow) {
        NDArray scale = rule.scale(weights, alphabet, perRow);
        return new NDList(scale, rule.zeroPoint(weights, alphabet, perRow, scale));
    }

    /**
     * {@code planes} arrays of the compact group shape {@code (out, groups)}, each assembled from what
     * {@code perRow} gives for the full groups and for the shorter last ones (see {@link #scale}).
     */
    private NDList perGroup(NDArray weights, int planes, Function<NDArray, NDList> perRow) {
        long[] shape = weights.getShape().getShape();
        if (shape.length <= 1) {
            return perRow.apply(weights);
        }
        long out = shape[0];
        long n = Granularity.rowLength(shape);
        long size = granularity.groupSize();
        long full = n / size;
        long tail = n % size;
        NDManager manager = weights.getManager();
        if (full == 0 && tail == 0) {
            NDList empty = new NDList();
            for (int p = 0; p < planes; p++) {
                empty.add(manager.zeros(new Shape(out, 0)));
            }
            return empty;
        }
        try (NDArray rows = weights.reshape(out, n)) {
            NDList fullScales = null;
            if (full > 0) {
                try (NDArray fullColumns = tail == 0 ? null : rows.get(":, :" + full * size);
                        NDArray groups = (fullColumns == null ? rows : fullColumns).reshape(out * full, size)) {
                    fullScales = reshaped(perRow.apply(groups), out, full);
                }
            }
            if (tail == 0) {
                return fullScales;
            }
            NDList tailScales;
            try (NDArray tailColumns = rows.get(":, " + full * size + ":")) {
                tailScales = reshaped(perRow.apply(tailColumns), out, 1);
            }
            if (fullScales == null) {
                return tailScales;
            }
            NDList assembled = new NDList();
            for (int p = 0; p < planes; p++) {
                assembled.add(fullScales.get(p).concat(tailScales.get(p), 1));
            }
            fullScales.close();
            tailScales.close();
            return assembled;
        }
    }

    /** Each array as {@code (rows, columns)}, the originals closed. */
    private static NDList reshaped(NDList arrays, long rows, long columns) {
        NDList result = new NDList();
        for (NDArray array : arrays) {
            result.add(array.reshape(rows, columns));
            array.close();
        }
        return result;
    }

    /**
     * The setting as specs and results write it: the part of a spec after the {@code @}.
     *
     * @return {@code rule/granularity}, e.g. {@code mse/tensor}
     */
    @Override
    public String toString() {
        return rule.id() + "/" + granularity.id();
    }
}
