package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Granularity;
import dev.lowbit.api.spi.ScaleRule;
import dev.lowbit.api.spi.ScaleSetting;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every scale rule passes, built-in or third-party: extend this class and return your rule
 * from {@link #rule()}. It ships in lowbit-testkit and runs on the real engine, on the weights of
 * every layer kind lowbit quantizes (a vector, a linear or attention projection, a conv kernel), for a
 * binary, a ternary and a 17-level alphabet, per tensor and per output channel; per group of 8 (a rule
 * never sees a group: {@link ScaleSetting} hands it the groups as rows, the shorter last ones apart),
 * every group's scale is the rule's for that group alone. An {@link ScaleRule#affine() affine} rule's zero
 * points are finite float32 in the scale's shape, each channel's the rule's for that channel alone.
 */
public abstract class ScaleRuleContract {

    private static final List<long[]> SHAPES = List.of(new long[] {64}, new long[] {12, 30}, new long[] {6, 3, 5, 5});
    private static final List<Alphabet> ALPHABETS =
            List.of(Alphabet.of(-1, 1), Alphabet.symmetricWithZero(3), Alphabet.symmetricWithZero(17));

    protected NDManager manager;

    /** The rule under test. */
    protected abstract ScaleRule rule();

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(11);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** Gaussian weights like a freshly initialised layer's. */
    protected NDArray randomWeights(long... shape) {
        return manager.randomNormal(0, 0.05f, new Shape(shape), DataType.FLOAT32);
    }

    @Test
    void hasAValidStableId() {
        assertThat(PersistedIds.requireValid(rule().id())).isEqualTo(rule().id());
        assertThat(rule().description()).isNotBlank();
    }

    /**
     * Per tensor one scale, per channel one per output channel, broadcastable against the weights;
     * positive, finite float32; and per channel, each channel's scale is the one the rule gives that
     * channel's weights alone (so no axis is mixed up, whatever the rank).
     */
    @TestFactory
    Stream<DynamicTest> givesEachTensorOrChannelItsOwnPositiveScale() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Alphabet alphabet : ALPHABETS) {
            for (long[] shape : SHAPES) {
                for (Granularity granularity : java.util.List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
                    tests.add(DynamicTest.dynamicTest(
                            alphabet + " " + granularity.id() + " " + Arrays.toString(shape),
                            () -> givesItsOwnScale(alphabet, shape, granularity)));
                }
            }
        }
        return tests.stream();
    }

    private void givesItsOwnScale(Alphabet alphabet, long[] shape, Granularity granularity) {
        NDArray weights = randomWeights(shape);
        NDArray scale = rule().scale(weights, alphabet, granularity);
        assertThat(scale.getDataType()).isEqualTo(DataType.FLOAT32);
        assertThat(scale.size()).isEqualTo(granularity.scaleCount(shape));
        assertThat(weights.div(scale).getShape())
                .as("the scale broadcasts against the weights")
                .isEqualTo(weights.getShape());
        float[] scales = scale.toFloatArray();
        for (float value : scales) {
            assertThat(value).isPositive().isFinite();
        }
        if (Granularity.CHANNEL.equals(granularity) && shape.length > 1) {
            for (int channel = 0; channel < shape[0]; channel++) {
                NDArray alone = weights.get(channel).expandDims(0);
                float own = rule().scale(alone, alphabet, Granularity.TENSOR).toFloatArray()[0];
                assertThat((double) scales[channel])
                        .as("channel %d's scale", channel)
                        .isCloseTo(own, within(1e-3 * Math.abs(own)));
            }
        }
    }

    /**
     * Per group of 8 on (12, 30) and (6, 3, 5, 5), where the last group of every channel is shorter: the
     * compact {@code (out, groups)} scales (stacked with zero points for an affine rule), positive and finite,
     * each the rule's scale of that group alone.
     */
    @TestFactory
    Stream<DynamicTest> givesEveryGroupOfEightItsOwnScale() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Alphabet alphabet : ALPHABETS) {
            for (long[] shape : List.of(new long[] {12, 30}, new long[] {6, 3, 5, 5})) {
                tests.add(DynamicTest.dynamicTest(
                        alphabet + " group:8 " + Arrays.toString(shape),
                        () -> givesEachGroupItsOwnScale(alphabet, shape)));
            }
        }
        return tests.stream();
    }

    private void givesEachGroupItsOwnScale(Alphabet alphabet, long[] shape) {
        Granularity groups = Granularity.group(8);
        ScaleSetting setting = new ScaleSetting(rule(), groups);
        NDArray weights = randomWeights(shape);
        NDArray scale = setting.scale(weights, alphabet);
        String where = rule().id() + "/group:8 for " + alphabet + " on " + Arrays.toString(shape);
        assertThat(scale.getShape())
                .as("%s: the compact group scales", where)
                .isEqualTo(groups.scaleShape(weights.getShape()));
        if (rule().affine()) {
            assertThat(setting.scaleAndZeroPoint(weights, alphabet).getShape())
                    .as("%s: scales and zero points", where)
                    .isEqualTo(new Shape(2).addAll(groups.scaleShape(weights.getShape())));
        }
        float[] scales = scale.toFloatArray();
        long n = weights.size() / shape[0];
        long perChannel = groups.groupsPerChannel(shape);
        NDArray rows = weights.reshape(shape[0], n);
        for (int channel = 0; channel < shape[0]; channel++) {
            for (int group = 0; group < perChannel; group++) {
                long end = Math.min(n, (group + 1) * 8L);
                NDArray alone = rows.get(channel + ", " + group * 8 + ":" + end).expandDims(0);
                float own = rule().scale(alone, alphabet, Granularity.TENSOR).toFloatArray()[0];
                float value = scales[(int) (channel * perChannel + group)];
                assertThat(value)
                        .as("%s: scale of channel %d, group %d", where, channel, group)
                        .isPositive()
                        .isFinite();
                assertThat((double) value)
                        .as(
                                "%s: scale of channel %d, group %d (weights %d to %d) must be the rule's"
                                        + " scale of that group alone",
                                where, channel, group, group * 8, end - 1)
                        .isCloseTo(own, within(1e-3 * Math.abs(own)));
            }
        }
    }

    /**
     * For an affine rule: per tensor and per channel on every shape, zero points that are finite float32 in
     * the scale's shape, per channel each the rule's zero point of that channel alone. Nothing to check for a
     * rule that is not affine (its zero point is never asked for).
     */
    @TestFactory
    Stream<DynamicTest> givesAnAffineRulesZeroPointsTheScalesShape() {
        if (!rule().affine()) {
            return Stream.empty();
        }
        List<DynamicTest> tests = new ArrayList<>();
        for (Alphabet alphabet : ALPHABETS) {
            for (long[] shape : SHAPES) {
                for (Granularity granularity : List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
                    tests.add(DynamicTest.dynamicTest(
                            alphabet + " " + granularity.id() + " " + Arrays.toString(shape),
                            () -> givesItsOwnZeroPoint(alphabet, shape, granularity)));
                }
            }
        }
        return tests.stream();
    }

    private void givesItsOwnZeroPoint(Alphabet alphabet, long[] shape, Granularity granularity) {
        String where = rule().id() + "/" + granularity.id() + " for " + alphabet + " on " + Arrays.toString(shape);
        NDArray weights = randomWeights(shape);
        NDArray scale = rule().scale(weights, alphabet, granularity);
        NDArray zeroPoint = rule().zeroPoint(weights, alphabet, granularity, scale);
        assertThat(zeroPoint.getDataType())
                .as("%s: the zero points' type", where)
                .isEqualTo(DataType.FLOAT32);
        assertThat(zeroPoint.getShape())
                .as("%s: zero points have the scale's shape", where)
                .isEqualTo(scale.getShape());
        float[] zeroPoints = zeroPoint.toFloatArray();
        for (float value : zeroPoints) {
            assertThat(value).as("%s: every zero point", where).isFinite();
        }
        if (Granularity.CHANNEL.equals(granularity) && shape.length > 1) {
            for (int channel = 0; channel < shape[0]; channel++) {
                NDArray alone = weights.get(channel).expandDims(0);
                NDArray ownScale = rule().scale(alone, alphabet, Granularity.TENSOR);
                float own = rule().zeroPoint(alone, alphabet, Granularity.TENSOR, ownScale)
                        .toFloatArray()[0];
                assertThat((double) zeroPoints[channel])
                        .as(
                                "%s: channel %d's zero point must be the rule's for that" + " channel alone",
                                where, channel)
                        .isCloseTo(own, within(1e-3 * Math.max(1, Math.abs(own))));
            }
        }
    }

    @Test
    void scalesWithTheWeights() {
        for (Alphabet alphabet : ALPHABETS) {
            NDArray weights = randomWeights(12, 30);
            float scale = rule().scale(weights, alphabet, Granularity.TENSOR).toFloatArray()[0];
            float scaled =
                    rule().scale(weights.mul(8), alphabet, Granularity.TENSOR).toFloatArray()[0];
            assertThat((double) scaled)
                    .as("%s: scale(8 W) = 8 scale(W)", alphabet)
                    .isCloseTo(8.0 * scale, within(8e-3 * scale));
        }
    }

    @Test
    void givesAllZeroWeightsAPositiveFiniteScale() {
        for (Granularity granularity : java.util.List.of(Granularity.TENSOR, Granularity.CHANNEL)) {
            NDArray zeros = manager.zeros(new Shape(4, 3, 3, 3));
            for (float value : rule().scale(zeros, Alphabet.symmetricWithZero(3), granularity)
                    .toFloatArray()) {
                assertThat(value).as(granularity.id()).isPositive().isFinite();
            }
        }
    }
}
