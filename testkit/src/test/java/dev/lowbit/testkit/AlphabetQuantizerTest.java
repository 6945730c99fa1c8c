package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class AlphabetQuantizerTest {

    /** An unequally spaced alphabet exercises the midpoint path rather than round-and-clip. */
    static final class NoZeroFourLevels extends AlphabetQuantizer {
        NoZeroFourLevels() {
            super("test-four", "test alphabet {-2,-1,1,2}", Alphabet.of(-2, -1, 1, 2), ScaleRules.parse("absmean"));
        }
    }

    static final class Ternary extends AlphabetQuantizer {
        Ternary() {
            super("test-ternary", "test alphabet {-1,0,1}", Alphabet.symmetricWithZero(3), ScaleRules.parse("absmean"));
        }
    }

    @Nested
    class UnequallySpaced extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new NoZeroFourLevels();
        }

        @Test
        void snapsToTheNearestValueAcrossTheGapAroundZero() {
            // mean|w| = 1.35; w / 1.35 = -1.63 -1.19 -1.04 -0.15 0.15 1.04 1.19 1.63, midpoints -1.5, 0, 1.5
            NDArray w = manager.create(new float[] {-2.2f, -1.6f, -1.4f, -0.2f, 0.2f, 1.4f, 1.6f, 2.2f});
            float[] snapped = quantizer().quantize(w).div(1.35f).toFloatArray();
            assertThat(snapped)
                    .usingElementComparator((a, b) -> Math.abs(a - b) < 1e-5 ? 0 : Float.compare(a, b))
                    .containsExactly(-2f, -1f, -1f, -1f, 1f, 1f, 1f, 2f);
        }
    }

    @Nested
    class EquallySpaced extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new Ternary();
        }

        @Test
        void usesTheMeanAbsoluteValueAsStep() {
            NDArray w = manager.create(new float[] {-3f, -0.4f, 0.4f, 1f, 0.6f, 0.6f});
            // mean|w| = 1: -3 -> -1, +-0.4 -> 0, 1 -> 1, 0.6 -> 1
            assertThat(quantizer().quantize(w).toFloatArray()).containsExactly(-1f, 0f, 0f, 1f, 1f, 1f);
        }
    }

    /** Snaps everything to zero: an override that the configured copies must keep. */
    static final class AllZero extends AlphabetQuantizer {
        private final float marker;

        AllZero(float marker) {
            super("test-zero", "snaps to zero", Alphabet.symmetricWithZero(3));
            this.marker = marker;
        }

        @Override
        public NDArray quantize(NDArray weights, NDArray scale) {
            return weights.zerosLike();
        }
    }

    @Test
    void withScaleRuleConfiguresACopyOfTheSubclassKeepingItsOverridesAndFields() {
        AllZero original = new AllZero(0.25f);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray w = manager.create(new float[] {-0.3f, 0.1f, 0.4f});
            AlphabetQuantizer configured = original.withScaleRule(ScaleRules.parse("absmax/channel"));

            assertThat(configured).isInstanceOf(AllZero.class).isNotSameAs(original);
            assertThat(((AllZero) configured).marker).isEqualTo(0.25f);
            assertThat(configured.spec()).isEqualTo("test-zero@absmax/channel");
            assertThat(configured.quantize(w).toFloatArray()).containsExactly(0f, 0f, 0f);
            assertThat(original.spec()).isEqualTo("test-zero@mse/tensor");
        }
    }

    @Test
    void specNamesTheScaleRuleAndGranularity() {
        assertThat(new Ternary().spec()).isEqualTo("test-ternary@absmean/tensor");
        assertThat(new Ternary().withScaleRule(ScaleRules.parse("mse/channel")).spec())
                .isEqualTo("test-ternary@mse/channel");
    }

    @Test
    void rejectsUnknownBuiltInScaleRulesListingTheKnownOnes() {
        assertThatThrownBy(() -> ScaleRules.parse("median"))
                .hasMessage("No scale rule 'median'. Available: [absmean, absmax, gauss, mse, learned, minmax].");
        assertThatThrownBy(() -> ScaleRules.parse("mse/row"))
                .hasMessage("No scale granularity 'row'. Available: [tensor, channel, group:G], e.g. group:64.");
    }

    @Test
    void rejectsIdsThatCannotBePersisted() {
        assertThatThrownBy(() -> new AlphabetQuantizer("Int3", "bad", Alphabet.of(-1, 1)) {})
                .hasMessage("Invalid id 'Int3': ids are persisted in results and must match [a-z][a-z0-9.-]*");
    }

    @Test
    void rejectsAlphabetsThatAreNotIncreasing() {
        assertThatThrownBy(() -> Alphabet.of(1, -1))
                .hasMessage("Alphabet values must be strictly increasing, got [1.0, -1.0]");
    }

    @Test
    void describesItsBits() {
        assertThat(Alphabet.symmetricWithZero(5).idealBits())
                .isCloseTo(2.3219, org.assertj.core.data.Offset.offset(1e-4));
        assertThat(Alphabet.of(-1, 1).hasZero()).isFalse();
        assertThat(Alphabet.symmetricWithZero(3)).hasToString("{-1, 0, 1}");
        assertThat(Alphabet.symmetricWithZero(17)).hasToString("{-8..8}");
        assertThat(Alphabet.symmetricWithoutZero(16)).hasToString("{-8..-1, 1..8}");
        assertThat(Alphabet.of(-1.5, -0.5, 0.5, 1.5)).hasToString("{-1.5, -0.5, 0.5, 1.5}");
    }
}
