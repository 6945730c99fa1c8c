package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class FormatsTest {

    @Test
    void bytesReadInBinaryUnitsWithOneDecimal() {
        assertThat(Formats.bytes(512)).isEqualTo("512 B");
        assertThat(Formats.bytes(407_040)).isEqualTo("397.5 KiB");
        assertThat(Formats.bytes(26_726.4)).isEqualTo("26.1 KiB");
        assertThat(Formats.bytes(3 * 1024 * 1024 + 512 * 1024)).isEqualTo("3.5 MiB");
        assertThat(Formats.bytes(Double.NaN)).isEqualTo("—");
    }

    @Test
    void pointsAreAlwaysSignedAndNeverNegativeZero() {
        assertThat(Formats.points(OptionalDouble.of(-1.38))).isEqualTo("-1.38 pp");
        assertThat(Formats.points(OptionalDouble.of(0.5))).isEqualTo("+0.50 pp");
        assertThat(Formats.points(OptionalDouble.of(-0.001))).isEqualTo("+0.00 pp");
        assertThat(Formats.points(OptionalDouble.empty())).isEqualTo("—");
    }

    @Test
    void percentBitsAndRatio() {
        assertThat(Formats.percent(0.8612)).isEqualTo("86.12%");
        assertThat(Formats.ratio(407_040 / 26_726.4)).isEqualTo("15.2×");
        assertThat(Formats.ratio(0)).isEqualTo("—");
    }
}
