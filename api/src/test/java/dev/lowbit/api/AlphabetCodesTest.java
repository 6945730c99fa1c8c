package dev.lowbit.api;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
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
        return List.of(Alphabet.symmetricWithZero(3), Alphabet.symmetricWithZero(17), Alphabet.of(-2, -1, 0, 1),
                Alphabet.of(-1, 1), Alphabet.of(-3, -1, 1, 3), Alphabet.of(-0.5, 0, 0.25, 0.5, 0.75),
                Alphabet.of(-2, -1, 1, 2), Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
    }

    @ParameterizedTest
    @MethodSource("alphabets")
    void codesPickTheNearestValueAndDecodeToWhatSnapGives(Alphabet alphabet) {
        AlphabetCodes codes = new AlphabetCodes(alphabet);
        NDArray x = manager.randomNormal(0, (float) (alphabet.max() - alphabet.min()), new Shape(4000), ai.djl.ndarray.types.DataType.FLOAT32);
        float[] inputs = x.toFloatArray();
        float[] coded = codes.codes(x).toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            assertThat(coded[i]).as("code of %s", inputs[i]).isEqualTo(nearestCode(alphabet, inputs[i]));
        }
        assertThat(x.toFloatArray()).as("codes(x) leaves x alone").containsExactly(inputs);
        float[] snapped = codes.snap(x).toFloatArray();
        for (int i = 0; i < inputs.length; i++) {
            assertThat(codes.nearest(inputs[i])).as("nearest(%s) in Java", inputs[i]).isEqualTo(snapped[i]);
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
        assertThat(handed.isReleased() || handed == coded).as("handed-over input released or reused").isTrue();
        NDArray snapped = codes.snapOverwriting(handed = x.duplicate());
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
