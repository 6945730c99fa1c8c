package dev.lowbit.testkit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.AlphabetQuantizer;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract kit on schemes written as plugins would write them: the ones that keep the contract pass
 * it, and the kit fails the ones that break it, saying what to fix.
 */
class ContractKitTest {

    @Nested
    class Ste extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return GradientEstimator.STE;
        }
    }

    @Nested
    class Clipped extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new ContractFixtures.Clipped();
        }
    }

    @Nested
    class AbsMaxInt8 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new ContractFixtures.AbsMaxInt8();
        }
    }

    @Nested
    class TrainedClip extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new ContractFixtures.SymmetricClip();
        }
    }

    /** The README's plugin example: signed 3-bit integers {-4..3}, an alphabet not centred on zero. */
    @Nested
    class Int3FromTheReadme extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new AlphabetQuantizer(
                    "int3",
                    "8 levels {-4..3}: signed 3-bit integers",
                    Alphabet.of(-4, -3, -2, -1, 0, 1, 2, 3),
                    ScaleRules.DEFAULT);
        }
    }

    @Nested
    class LearnedTernaryPerChannel extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new AlphabetQuantizer(
                    "test-ternary", "test", Alphabet.symmetricWithZero(3), ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class FailsAPluginThat {

        private NDManager manager;

        @BeforeEach
        void open() {
            Engine.getInstance().setRandomSeed(29);
            manager = NDManager.newBaseManager();
        }

        @AfterEach
        void close() {
            manager.close();
        }

        private NDArray weights() {
            return manager.randomNormal(0, 0.05f, new Shape(12, 30), DataType.FLOAT32);
        }

        @Test
        void drawsFromItsOwnGeneratorWhileTraining() {
            Quantizer unseeded =
                    new AlphabetQuantizer("test-unseeded", "test", Alphabet.of(-1, 1), ScaleRules.DEFAULT) {
                        private final Random random = new Random();

                        @Override
                        public NDArray quantize(NDArray weights, NDArray scale, QuantizationContext context) {
                            if (!context.training()) {
                                return quantize(weights, scale);
                            }
                            float[] signs = new float[Math.toIntExact(weights.size())];
                            for (int i = 0; i < signs.length; i++) {
                                signs[i] = random.nextBoolean() ? 1 : -1;
                            }
                            return weights.getManager()
                                    .create(signs, weights.getShape())
                                    .mul(scale);
                        }
                    };

            assertThatThrownBy(() -> QuantizerChecks.trainsReproduciblyFromASeededGenerator(unseeded, weights()))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("test-unseeded@mse/tensor on (12, 30): two generators with the same seed"
                            + " must give the same training values (draw only from context.uniform, never from"
                            + " another source of randomness); ");
        }

        @Test
        void drawsInEvaluation() {
            Quantizer drawing = new AlphabetQuantizer("test-drawing", "test", Alphabet.of(-1, 1), ScaleRules.DEFAULT) {
                @Override
                public NDArray quantize(NDArray weights, NDArray scale, QuantizationContext context) {
                    context.uniform(weights.getManager(), weights.getShape());
                    return quantize(weights, scale);
                }
            };

            assertThatThrownBy(() -> QuantizerChecks.evaluatesAsTheDecodeOfItsCodes(drawing, weights()))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("A quantizer drew random numbers outside training; evaluation, export and the packed"
                            + " file must be deterministic (round to nearest when training() is false).");
        }

        @Test
        void writesIntoTheWeightsItIsGiven() {
            Quantizer overwriting =
                    new AlphabetQuantizer("test-overwriting", "test", Alphabet.of(-1, 1), ScaleRules.DEFAULT) {
                        @Override
                        public NDArray normalized(NDArray weights, NDArray scale) {
                            return weights.divi(scale);
                        }
                    };

            assertThatThrownBy(() -> QuantizerChecks.evaluatesAsTheDecodeOfItsCodes(overwriting, weights()))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("test-overwriting@mse/tensor on (12, 30): scale, codes, quantize and"
                            + " normalized must not change the weights they are given");
        }

        @Test
        void packsAScaleItDoesNotEvaluateWith() {
            AlphabetQuantizer misstated =
                    new AlphabetQuantizer(
                            "test-misstated",
                            "test",
                            Alphabet.symmetricWithZero(3),
                            ScaleRules.parse("learned/tensor")) {
                        @Override
                        public NDArray packedScale(NDList trained) {
                            return trained.get(0).mul(2);
                        }
                    };
            NDArray weights = weights();
            NDList initial = misstated.initialValues(weights);

            assertThatThrownBy(() -> LearnedQuantizerChecks.evaluatesAsItsPackedForm(misstated, weights, initial))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("test-misstated@learned/tensor on (12, 30): quantizeTrained(W, trained,"
                            + " EVALUATION) must equal the packed form");
        }

        @Test
        void saysItIsTheIdentityButIsNot() {
            GradientEstimator liar = new ContractFixtures.Clipped() {
                @Override
                public boolean isIdentity() {
                    return true;
                }
            };
            NDArray u = manager.create(new float[] {-2f, 0f, 0.5f, 3f});

            assertThatThrownBy(() -> GradientEstimatorContract.isOneEverywhereExactlyWhenItSaysItIsTheIdentity(liar, u))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageStartingWith("[estimator 'test-clipped' says isIdentity(), so lowbit skips it: its"
                            + " derivative must be 1 everywhere]");
        }

        @Test
        void writesASpecItCannotReadBack() {
            ActivationQuantizer unreadable = new ContractFixtures.AbsMaxInt8() {
                @Override
                public String spec() {
                    return "test-int8@absmax";
                }
            };

            assertThatThrownBy(() -> ActivationQuantizerContract.configuresItsOwnClassAndReadsItsSpecBack(unreadable))
                    .isInstanceOf(AssertionError.class)
                    .hasMessage("spec() 'test-int8@absmax' must read back to itself, but configure(\"@absmax\") refused"
                            + " its options: Activation quantizer 'test-int8' takes no options (got '@absmax').");
        }
    }
}
