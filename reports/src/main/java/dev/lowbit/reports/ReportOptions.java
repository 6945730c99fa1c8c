package dev.lowbit.reports;

import java.math.BigDecimal;

/**
 * The thresholds a report judges with. They change what the page concludes, so the page states them
 * beside its verdicts and in its embedded data.
 *
 * @param parityTolerance how far below its fp32 twin a low-bit model still counts as comparable
 *     (verdicts) and at parity (epochs-to-parity), as a fraction: 0.01 = one percentage point
 * @param confidence the confidence level of every interval over seeds on the page, e.g. 0.95
 * @param minSeeds the fewest seeds an effect needs before a finding is judged on it; below this a
 *     finding says "not enough seeds", never confirmed or refuted
 */
public record ReportOptions(double parityTolerance, double confidence, int minSeeds) {

    /** One percentage point: the spread of one model's test accuracy over seeds on Fashion-MNIST is about that. */
    public static final double DEFAULT_PARITY_TOLERANCE = 0.01;
    /** The level a reviewer expects unless told otherwise. */
    public static final double DEFAULT_CONFIDENCE = 0.95;
    /**
     * Three: two seeds give a single degree of freedom, where Student's t at 95% is 12.7 and any
     * interval spans every effect the study speaks of; three is also what the paper-lite and paper
     * suites train.
     */
    public static final int DEFAULT_MIN_SEEDS = 3;

    public static final ReportOptions DEFAULTS =
            new ReportOptions(DEFAULT_PARITY_TOLERANCE, DEFAULT_CONFIDENCE, DEFAULT_MIN_SEEDS);

    /** Checks each threshold's range; the CLI turns the message into one line of bad input. */
    public ReportOptions {
        if (!(parityTolerance >= 0) || Double.isInfinite(parityTolerance)) {
            throw new IllegalArgumentException("parity tolerance must be a finite number >= 0, got " + parityTolerance);
        }
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new IllegalArgumentException("confidence must be at least 0.5 and below 1, got " + confidence);
        }
        if (minSeeds < 2) {
            // An interval needs a spread, and a spread needs two values: one seed can never be judged.
            throw new IllegalArgumentException("the minimum number of seeds must be at least 2, got " + minSeeds);
        }
    }

    /** The tolerance in percentage points. */
    double tolerancePoints() {
        return 100 * parityTolerance;
    }

    /** The confidence level as the page writes it: {@code 95%}, {@code 99.5%}. */
    String confidenceLabel() {
        // Rounded first: 100 x 0.95 is not exactly 95 in binary.
        return new BigDecimal(Math.round(confidence * 1e8))
                        .movePointLeft(6)
                        .stripTrailingZeros()
                        .toPlainString() + "%";
    }
}
