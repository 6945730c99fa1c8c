package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SummaryTest {

    @Test
    void intervalIsStudentsTOverTheStandardError() {
        Summary summary = Summary.of(new double[] {0.80, 0.82, 0.84});

        assertThat(summary.n()).isEqualTo(3);
        assertThat(summary.mean()).isCloseTo(0.82, within(1e-12));
        // s = 0.02, s / sqrt(3) = 0.011547, t(0.975, 2) = 4.302653
        assertThat(summary.halfWidth()).isCloseTo(4.302653 * 0.02 / Math.sqrt(3), within(1e-6));
        assertThat(Formats.meanInterval(summary)).isEqualTo("82.00% ± 4.97");
    }

    @Test
    void twoSeedsGetTheWideIntervalTheyDeserve() {
        // t(0.975, 1) = 12.706: two seeds 1 point apart give a +-6.35 point interval, not +-0.98.
        Summary summary = Summary.of(new double[] {0.80, 0.81});
        // s = 0.00707, s / sqrt(2) = 0.005
        assertThat(summary.halfWidth()).isCloseTo(12.7062 * 0.005, within(1e-5));
    }

    @Test
    void oneSeedHasAMeanButNoIntervalAndNoneHasNeither() {
        assertThat(Formats.meanInterval(Summary.of(new double[] {0.8612}))).isEqualTo("86.12% ± —");
        assertThat(Summary.of(new double[0]).isEmpty()).isTrue();
        assertThat(Formats.meanInterval(Summary.of(new double[0]))).isEqualTo("—");
    }
}
