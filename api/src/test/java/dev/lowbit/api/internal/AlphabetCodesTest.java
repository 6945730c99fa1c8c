package dev.lowbit.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.internal.engine.EngineScalars;
import dev.lowbit.api.spi.Alphabet;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class AlphabetCodesTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** One alphabet of each path: consecutive integers, other equal spacings, unequal spacing. */
    static List<Alphabet> alphabets() {
        return List.of(
                Alphabet.symmetricWithZero(3),
                Alphabet.symmetricWithZero(17),
                Alphabet.of(-2, -1, 0, 1),
                Alphabet.of(-1, 1),
                Alphabet.of(-3, -1, 1, 3),
                Alphabet.of(-0.5, 0, 0.25, 0.5, 0.75),
                Alphabet.of(-2, -1, 1, 2),
                Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
    }

    @ParameterizedTest
    @MethodSource("alphabets")
    void codesPickTheNearestValueAndDecodeToWhatSnapGives(Alphabet alphabet) {
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        NDArray x = manager.randomNormal(
                0, (float) (alphabet.max() - alphabet.min()), new Shape(4000), ai.djl.ndarray.types.DataType.FLOAT32);
        float[] inputs = x.toFloatArray();
        float[] coded = codes.codes(x).toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            assertThat(coded[i]).as("code of %s", inputs[i]).isEqualTo(nearestCode(alphabet, inputs[i]));
        }
        assertThat(x.toFloatArray()).as("codes(x) leaves x alone").containsExactly(inputs);
        float[] snapped = codes.snap(x).toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            assertThat(codes.nearest(inputs[i]))
                    .as("nearest(%s) in Java", inputs[i])
                    .isEqualTo(snapped[i]);
        }
        assertThat(numbers(codes.snap(x))).containsExactly(numbers(codes.values(codes.codes(x))));
    }

    @Test
    void consecutiveIntegersRoundHalfwayCasesToTheEvenValue() {
        NDArray halfway = manager.create(new float[] {-2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 8.5f});
        AlphabetCodes k17 = new AlphabetCodes(Alphabet.symmetricWithZero(17));
        assertThat(numbers(k17.snap(halfway))).containsExactly(-2, -2, 0, 0, 2, 2, 8);
        AlphabetCodes ternary = new AlphabetCodes(Alphabet.symmetricWithZero(3));
        assertThat(numbers(ternary.snap(halfway))).containsExactly(-1, -1, 0, 0, 1, 1, 1);
        assertThat(ternary.codes(halfway).toFloatArray()).containsExactly(0, 0, 1, 1, 2, 2, 2);
    }

    @ParameterizedTest
    @MethodSource("alphabets")
    void theOverwritingFormsGiveTheSameValuesAndReleaseWhatTheyAreHanded(Alphabet alphabet) {
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        NDArray x = manager.randomNormal(new Shape(64, 9)).mul(2f);
        NDArray handed = x.duplicate();
        NDArray coded = codes.codesOverwriting(handed);
        assertThat(coded.toFloatArray()).containsExactly(codes.codes(x).toFloatArray());
        assertThat(handed.isReleased() || handed == coded)
                .as("handed-over input released or reused")
                .isTrue();
        handed = x.duplicate();
        NDArray snapped = codes.snapOverwriting(handed);
        assertThat(numbers(snapped)).containsExactly(numbers(codes.snap(x)));
        assertThat(handed.isReleased() || handed == snapped).isTrue();
        assertThat(numbers(codes.valuesOverwriting(codes.codes(x)))).containsExactly(numbers(codes.snap(x)));
    }

    @Test
    void sharedConstantsAreMadeOnceAndResultsStayWithTheFirstOperand() {
        NDArray two = EngineScalars.of(2);
        assertThat(EngineScalars.of(2.0)).isSameAs(two);
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = scope.create(new float[] {1, 4});
            NDArray half = x.div(two);
            assertThat(half.getManager()).isSameAs(scope);
            assertThat(half.toFloatArray()).containsExactly(0.5f, 2f);
        }
        assertThat(two.getFloat()).isEqualTo(2f);
    }

    @Test
    void decodesEveryCodeToItsValueAsAFloatEvenWhenTheStepIsNotExactInBinary() {
        // 0.2 has no exact float: code * 0.2f - 0.3f would miss some values by an ulp.
        Alphabet tenths = Alphabet.of(-0.3, -0.1, 0.1, 0.3);
        AlphabetCodes codes = new AlphabetCodes(tenths);
        NDArray all = manager.create(new float[] {0, 1, 2, 3});
        assertThat(codes.values(all).toFloatArray()).containsExactly(-0.3f, -0.1f, 0.1f, 0.3f);
        assertThat(codes.valuesOverwriting(all.duplicate()).toFloatArray()).containsExactly(-0.3f, -0.1f, 0.1f, 0.3f);
        assertThat(codes.snap(manager.create(new float[] {-0.31f, -0.12f, 0.09f, 0.5f}))
                        .toFloatArray())
                .containsExactly(-0.3f, -0.1f, 0.1f, 0.3f);
    }

    /**
     * Ternary by hand: x between a_i and a_(i+1) goes up when u < (x - a_i) / (a_(i+1) - a_i); outside the
     * range it is clipped first. u = 0 never rounds up a value already on a level (p = 0).
     */
    @Test
    void roundsStochasticallyBetweenNeighbouringLevelsByTheUniformDraws() {
        AlphabetCodes ternary = new AlphabetCodes(Alphabet.symmetricWithZero(3));
        NDArray x = manager.create(new float[] {-1.5f, -0.75f, -0.25f, 0f, 0.25f, 0.5f, 0.75f, 1.5f});
        NDArray u = manager.create(new float[] {0.9f, 0.2f, 0.3f, 0f, 0.2f, 0.5f, 0.8f, 0f});
        // p:                                      0     .25   .75    0   .25    .5   .75    0 (of the level above)
        assertThat(numbers(ternary.snapStochasticOverwriting(x.duplicate(), u)))
                .containsExactly(-1, 0, 0, 0, 1, 0, 0, 1);
        assertThat(ternary.codesStochasticOverwriting(x.duplicate(), u).toFloatArray())
                .containsExactly(0, 1, 1, 1, 2, 1, 1, 2);
        assertThat(u.toFloatArray())
                .as("the draws are left as they are")
                .containsExactly(0.9f, 0.2f, 0.3f, 0f, 0.2f, 0.5f, 0.8f, 0f);
    }

    @Test
    void roundsStochasticallyOnAnUnequallySpacedAlphabet() {
        AlphabetCodes powers = new AlphabetCodes(Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
        NDArray x = manager.create(new float[] {3f, -1.5f, 4f, -5f, 0.5f, 1.25f});
        NDArray u = manager.create(new float[] {0.4f, 0.6f, 0.3f, 0.1f, 0.5f, 0.2f});
        // p:                                       .5    .5    1     0    .5   .25
        assertThat(numbers(powers.snapStochasticOverwriting(x.duplicate(), u))).containsExactly(4, -2, 4, -4, 0, 2);
        assertThat(powers.codesStochasticOverwriting(x, u).toFloatArray()).containsExactly(6, 1, 6, 0, 3, 5);
    }

    /** BinaryConnect (Courbariaux et al. 2015): +1 with probability hard_sigmoid(x) = clip((x + 1) / 2, 0, 1). */
    @Test
    void onBinaryIsBinaryConnectsStochasticBinarisation() {
        AlphabetCodes binary = new AlphabetCodes(Alphabet.of(-1, 1));
        NDArray x = manager.create(new float[] {-2f, -0.5f, 0f, 0.5f, 2f});
        NDArray u = manager.create(new float[] {0f, 0.24f, 0.5f, 0.74f, 0.99f});
        // hard_sigmoid:                            0   .25    .5    .75     1
        assertThat(numbers(binary.snapStochasticOverwriting(x, u))).containsExactly(-1, 1, -1, 1, 1);

        NDArray weights = manager.randomNormal(0, 1, new Shape(20_000), ai.djl.ndarray.types.DataType.FLOAT32);
        NDArray draws = manager.randomUniform(0, 1, new Shape(20_000));
        float[] w = weights.toFloatArray();
        float[] d = draws.toFloatArray();
        float[] binarised =
                binary.snapStochasticOverwriting(weights.duplicate(), draws).toFloatArray();
        for (int i = 0; i < w.length; i++) {
            float hardSigmoid = Math.max(0f, Math.min(1f, (w[i] + 1) / 2));
            assertThat(binarised[i]).as("w = %s, u = %s", w[i], d[i]).isEqualTo(d[i] < hardSigmoid ? 1f : -1f);
        }
    }

    @Test
    void roundsStochasticallyToTheInputOnAverage() {
        AlphabetCodes k17 = new AlphabetCodes(Alphabet.symmetricWithZero(17));
        NDArray x = manager.full(new Shape(100_000), 2.3f);
        NDArray u = manager.randomUniform(0, 1, x.getShape());
        NDArray rounded = k17.snapStochasticOverwriting(x, u);
        assertThat(rounded.eq(2f).logicalOr(rounded.eq(3f)).all().getBoolean()).isTrue();
        assertThat((double) rounded.mean().getFloat()).isCloseTo(2.3, org.assertj.core.data.Offset.offset(0.01));
    }

    /**
     * The elements with -0 read as 0: snapping rounds -0.3 to -0, decoding a code gives +0, the same
     * number (and the same product in every layer).
     */
    private static float[] numbers(NDArray array) {
        float[] values = array.toFloatArray();
        for (int i = 0; i < values.length; i++) {
            values[i] += 0f;
        }
        return values;
    }

    private static float nearestCode(Alphabet alphabet, float x) {
        int best = 0;
        for (int i = 1; i < alphabet.levels(); i++) {
            if (Math.abs(x - alphabet.value(i)) < Math.abs(x - alphabet.value(best))) {
                best = i;
            }
        }
        return best;
    }
}
