package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ScaleRulesTest {

    private NDManager manager;
    private NDArray gaussian;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
        gaussian = manager.randomNormal(0, 0.05f, new Shape(256, 784), DataType.FLOAT32);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static AlphabetQuantizer quantizer(int levels, String scale) {
        return new AlphabetQuantizer("k" + levels, "test", Alphabet.symmetricWithZero(levels), ScaleRules.parse(scale));
    }

    private double relativeError(AlphabetQuantizer quantizer) {
        return gaussian.sub(quantizer.quantize(gaussian)).norm().getFloat()
                / gaussian.norm().getFloat();
    }

    private double outermostShare(AlphabetQuantizer quantizer) {
        NDArray codes = quantizer.codes(gaussian, quantizer.scale(gaussian));
        int top = quantizer.levels() - 1;
        return codes.eq(0)
                .logicalOr(codes.eq(top))
                .toType(DataType.FLOAT32, false)
                .mean()
                .getFloat();
    }

    @Test
    void absmeanIsTheMeanAbsoluteWeight() {
        assertThat(quantizer(3, "absmean").scale(gaussian).getFloat())
                .isCloseTo(gaussian.abs().mean().getFloat(), Offset.offset(1e-7f));
    }

    @Test
    void absmaxPutsTheLargestWeightOnTheOutermostLevel() {
        AlphabetQuantizer k17 = quantizer(17, "absmax");
        assertThat(k17.scale(gaussian).getFloat() * 8)
                .isCloseTo(gaussian.abs().max().getFloat(), Offset.offset(1e-6f));
        assertThat(k17.quantize(gaussian).abs().max().getFloat())
                .isCloseTo(gaussian.abs().max().getFloat(), Offset.offset(1e-6f));
    }

    @Test
    void mseHasTheSmallestReconstructionErrorOfTheFixedRulesForEveryK() {
        for (int k : new int[] {3, 5, 9, 17}) {
            double mse = relativeError(quantizer(k, "mse"));
            assertThat(mse)
                    .as("k=%d", k)
                    .isLessThanOrEqualTo(relativeError(quantizer(k, "absmean")) + 1e-6)
                    .isLessThanOrEqualTo(relativeError(quantizer(k, "absmax")) + 1e-6);
        }
    }

    @Test
    void mseKeepsUsingTheOuterLevelsAndItsErrorFallsAsKGrows() {
        double previous = Double.POSITIVE_INFINITY;
        for (int k : new int[] {3, 5, 9, 17}) {
            AlphabetQuantizer mse = quantizer(k, "mse");
            assertThat(outermostShare(mse)).as("k=%d", k).isPositive();
            double error = relativeError(mse);
            assertThat(error).as("k=%d", k).isLessThan(previous);
            previous = error;
        }
        // absmean's 17 levels span +-8 mean|w| (about 6.4 sigma): the outer levels stay empty.
        assertThat(outermostShare(quantizer(17, "absmean"))).isZero();
    }

    @Test
    void perChannelGivesOneScalePerOutputRow() {
        NDArray rows = gaussian.mul(manager.arange(1f, 257f).reshape(256, 1));
        AlphabetQuantizer perChannel = quantizer(5, "mse/channel");
        NDArray scale = perChannel.scale(rows);
        assertThat(scale.getShape()).isEqualTo(new Shape(256, 1));
        assertThat(scale.get(255, 0).getFloat() / scale.get(0, 0).getFloat())
                .isCloseTo(256f, Offset.offset(256 * 0.1f));
        assertThat(perChannel.scaleCount(new long[] {256, 784})).isEqualTo(256);
        NDArray tensorError = rows.sub(quantizer(5, "mse").quantize(rows)).norm();
        NDArray channelError = rows.sub(perChannel.quantize(rows)).norm();
        assertThat(channelError.getFloat()).isLessThan(tensorError.getFloat());
    }
}
