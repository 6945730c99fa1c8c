package dev.lowbit.reports;

import dev.lowbit.format.result.QuantizerRecord;
import java.util.Locale;
import java.util.OptionalDouble;

/** How numbers read in the report; one place so every table and label agrees. */
final class Formats {

    /** Shown where a number does not exist (no twin, failed run), so it is never mistaken for 0. */
    static final String NONE = "—";

    private static final String[] BINARY_UNITS = {"KiB", "MiB", "GiB", "TiB"};

    private Formats() {}

    /** A fraction as a percentage with 2 decimals: 0.8612 becomes {@code 86.12%}. */
    static String percent(double fraction) {
        return Double.isFinite(fraction) ? format("%.2f%%", 100 * fraction) : NONE;
    }

    /**
     * A mean accuracy with its interval (95% unless the report says otherwise) in percentage points: {@code 86.12% ± 0.40}; one seed
     * has no interval ({@code 86.12% ± —}), no finished seed no mean.
     */
    static String meanInterval(Summary summary) {
        if (summary.isEmpty()) {
            return NONE;
        }
        String interval = Double.isFinite(summary.halfWidth()) ? format("%.2f", 100 * summary.halfWidth()) : NONE;
        return percent(summary.mean()) + " ± " + interval;
    }

    /** A difference in percentage points, always signed so a gain and a loss look different. */
    static String points(OptionalDouble points) {
        if (points.isEmpty() || !Double.isFinite(points.getAsDouble())) {
            return NONE;
        }
        return signed(points.getAsDouble()) + " pp";
    }

    /** A difference with 2 decimals and its sign, {@code +0.42}, {@code -1.17}, never {@code -0.00}. */
    static String signed(double value) {
        // Round first: a loss smaller than the shown precision must not read as "-0.00".
        double rounded = Math.round(value * 100) / 100.0;
        return format("%+.2f", rounded == 0 ? 0.0 : rounded);
    }

    /**
     * Weight and activation bits as one label, as the literature writes them: {@code W1.58A8}, or
     * {@code W1.58} alone when the activations stay fp32; full precision is {@code W32}.
     */
    static String weightActivationBits(QuantizerRecord quantizer) {
        String weights = "W" + trimmedBits(quantizer.levels() == 0 ? 32 : quantizer.bitsPerWeight());
        return quantizer.activations().quantizes()
                ? weights + "A" + trimmedBits(quantizer.activations().bits())
                : weights;
    }

    /**
     * Bits with at most 2 decimals and no trailing zeros: {@code 1}, {@code 1.58}, {@code 2.32},
     * {@code 8}; {@code ?} when unknown.
     */
    static String trimmedBits(double bits) {
        if (!Double.isFinite(bits)) {
            return "?";
        }
        String fixed = format("%.2f", bits);
        int end = fixed.length();
        while (fixed.charAt(end - 1) == '0') {
            end--;
        }
        return fixed.substring(0, fixed.charAt(end - 1) == '.' ? end - 1 : end);
    }

    /** A count with thousands separators: {@code 1,863,690}. */
    static String count(long value) {
        return format("%,d", value);
    }

    /** An alphabet value as a level label: {@code -2}, {@code 0}, {@code +1}, or {@code +0.50} when not whole. */
    static String level(double value) {
        return value == Math.rint(value) ? format("%+d", (long) value).replace("+0", "0") : format("%+.2f", value);
    }

    /** A byte count in binary units, one decimal above 1 KiB: 407040 becomes {@code 397.5 KiB}. */
    static String bytes(double bytes) {
        if (!Double.isFinite(bytes) || bytes < 0) {
            return NONE;
        }
        if (bytes < 1024) {
            return format("%.0f B", bytes);
        }
        double value = bytes / 1024;
        int unit = 0;
        while (value >= 1024 && unit < BINARY_UNITS.length - 1) {
            value /= 1024;
            unit++;
        }
        return format("%.1f %s", value, BINARY_UNITS[unit]);
    }

    /** A compression ratio with one decimal: {@code 15.2×}; none when the ideal size is unknown. */
    static String ratio(double ratio) {
        return Double.isFinite(ratio) && ratio > 0 ? format("%.1f×", ratio) : NONE;
    }

    /** Fixed locale so a report made on a German machine still reads 86.12, not 86,12. */
    private static String format(String pattern, Object... args) {
        return String.format(Locale.ROOT, pattern, args);
    }
}
