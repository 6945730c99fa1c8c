package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.QuantizerRecord;
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
    void weightAndActivationBitsReadAsInTheLiteratureWithTrailingZerosDropped() {
        QuantizerRecord ternary = ResultsFixture.ternary();
        assertThat(Formats.weightActivationBits(ternary)).isEqualTo("W1.58");
        assertThat(Formats.weightActivationBits(ResultsFixture.binary())).isEqualTo("W1");
        assertThat(Formats.weightActivationBits(ResultsFixture.fp32())).isEqualTo("W32");
        assertThat(Formats.weightActivationBits(
                        ternary.withScheme("ste", new ActivationRecord("int8@absmax/token", 8))))
                .isEqualTo("W1.58A8");
        assertThat(Formats.weightActivationBits(ternary.withScheme("ste", new ActivationRecord("pact:4", 4))))
                .isEqualTo("W1.58A4");
        assertThat(Formats.weightActivationBits(ternary.withScheme("ste", ActivationRecord.NONE)))
                .isEqualTo("W1.58");
        assertThat(Formats.trimmedBits(Math.log(5) / Math.log(2))).isEqualTo("2.32");
        assertThat(Formats.trimmedBits(Math.log(17) / Math.log(2))).isEqualTo("4.09");
        assertThat(Formats.trimmedBits(2.5)).isEqualTo("2.5");
        assertThat(Formats.trimmedBits(10)).isEqualTo("10");
        assertThat(Formats.trimmedBits(Double.NaN)).isEqualTo("?");
    }

    @Test
    void percentBitsAndRatio() {
        assertThat(Formats.percent(0.8612)).isEqualTo("86.12%");
        assertThat(Formats.ratio(407_040 / 26_726.4)).isEqualTo("15.2×");
        assertThat(Formats.ratio(0)).isEqualTo("—");
    }
}
