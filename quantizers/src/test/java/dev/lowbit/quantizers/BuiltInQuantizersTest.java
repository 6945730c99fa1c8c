package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.QuantizerFactory;
import dev.lowbit.testkit.QuantizerContract;
import java.util.Arrays;
import java.util.List;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BuiltInQuantizersTest {

    @Test
    void serviceLoaderFindsEveryBuiltIn() {
        assertThat(ServiceLoader.load(Quantizer.class).stream().map(p -> p.get().id()))
                .containsExactlyInAnyOrder(
                        "fp32",
                        "binary",
                        "ternary",
                        "quaternary",
                        "quinary",
                        "k8",
                        "k9",
                        "k16",
                        "k17",
                        "binaryconnect",
                        "binaryconnect-stochastic",
                        "xnor",
                        "twn",
                        "ttq",
                        "bitnet-b1.58");
        assertThat(ServiceLoader.load(QuantizerFactory.class).stream()
                        .map(p -> p.get().name()))
                .containsExactly("levels", "dorefa", "lsq");
    }

    @Test
    void everyRegisteredQuantizerAndFactoryRunsTheContract() {
        List<String> covered = new java.util.ArrayList<>();
        for (Class<?> tests : List.of(
                BuiltInQuantizersTest.class,
                BinaryConnectQuantizerTest.class,
                TernaryAndBinarySchemesTest.class,
                TtqQuantizerTest.class,
                BitWidthFactoriesTest.class)) {
            for (Object quantizer : ContractCoverage.subjects(tests, QuantizerContract.class, "quantizer")) {
                covered.add(((Quantizer) quantizer).id().replaceAll(":.*", ""));
            }
        }
        assertThat(covered)
                .containsAll(ServiceLoader.load(Quantizer.class).stream()
                        .map(p -> p.get().id())
                        .toList())
                .containsAll(ServiceLoader.load(QuantizerFactory.class).stream()
                        .map(p -> p.get().name())
                        .toList());
    }

    @Test
    void everyPublishedSchemeCitesItsPaper() {
        List<String> descriptions = new java.util.ArrayList<>(List.of(
                new BinaryConnectQuantizer().description(),
                new BinaryConnectStochasticQuantizer().description(),
                new XnorQuantizer().description(),
                new TwnQuantizer().description(),
                new TtqQuantizer().description(),
                new BitNetB158Quantizer().description(),
                new DorefaQuantizerFactory().description(),
                new DorefaQuantizerFactory().create("2").description(),
                new LsqQuantizerFactory().description(),
                new LsqQuantizerFactory().create("4").description()));
        assertThat(descriptions)
                .allSatisfy(description ->
                        assertThat(description).containsPattern("et al\\. \\d{4}, arXiv:\\d{4}\\.\\d{4,5}\\)$"));
    }

    @Test
    void alphabetsAreThoseOfTheStudy() {
        assertThat(new BinaryQuantizer().alphabet()).contains(Alphabet.of(-1, 1));
        assertThat(new TernaryQuantizer().alphabet()).contains(Alphabet.of(-1, 0, 1));
        assertThat(new QuinaryQuantizer().alphabet()).contains(Alphabet.of(-2, -1, 0, 1, 2));
        assertThat(new QuaternaryQuantizer().alphabet()).contains(Alphabet.of(-2, -1, 1, 2));
        assertThat(new K8Quantizer().alphabet()).contains(Alphabet.of(-4, -3, -2, -1, 1, 2, 3, 4));
        assertThat(new K9Quantizer().alphabet()).contains(Alphabet.of(-4, -3, -2, -1, 0, 1, 2, 3, 4));
        assertThat(new K16Quantizer().alphabet().orElseThrow().toSpec())
                .isEqualTo("-8,-7,-6,-5,-4,-3,-2,-1,1,2,3,4,5,6,7,8");
        assertThat(new K17Quantizer().alphabet().orElseThrow().toSpec())
                .isEqualTo("-8,-7,-6,-5,-4,-3,-2,-1,0,1,2,3,4,5,6,7,8");
        assertThat(new Fp32Quantizer().alphabet()).isEmpty();
    }

    @Test
    void everyZeroFreeAlphabetHasAPartnerWithTheSameValuesPlusZero() {
        List<Quantizer[]> pairs = List.of(
                new Quantizer[] {new BinaryQuantizer(), new TernaryQuantizer()},
                new Quantizer[] {new QuaternaryQuantizer(), new QuinaryQuantizer()},
                new Quantizer[] {new K8Quantizer(), new K9Quantizer()},
                new Quantizer[] {new K16Quantizer(), new K17Quantizer()});
        for (Quantizer[] pair : pairs) {
            Alphabet without = pair[0].alphabet().orElseThrow();
            Alphabet with = pair[1].alphabet().orElseThrow();
            assertThat(without.hasZero()).isFalse();
            assertThat(with.hasZero()).isTrue();
            assertThat(with.levels()).isEqualTo(without.levels() + 1);
            assertThat(Arrays.stream(with.values()).filter(v -> v != 0).toArray())
                    .containsExactly(without.values());
        }
    }

    @Test
    void theLevelsFactoryReadsValuesInAnyOrderIntoOneCanonicalId() {
        Quantizer custom = new LevelsQuantizerFactory().create("2, -1,1,-2");
        assertThat(custom.id()).isEqualTo("levels:-2,-1,1,2");
        assertThat(custom.spec()).isEqualTo("levels:-2,-1,1,2@mse/tensor");
        assertThat(custom.alphabet()).contains(Alphabet.of(-2, -1, 1, 2));
        assertThat(new LevelsQuantizerFactory().create("-1.5,-0.5,0.5,1.5").id())
                .isEqualTo("levels:-1.5,-0.5,0.5,1.5");
    }

    @Test
    void theLevelsFactoryExplainsBadValues() {
        LevelsQuantizerFactory factory = new LevelsQuantizerFactory();
        assertThatThrownBy(() -> factory.create("-1,x,1"))
                .hasMessage("'x' is not a number; write the values separated by commas, e.g. levels:-2,-1,1,2");
        assertThatThrownBy(() -> factory.create("1,1,2")).hasMessage("value 1 appears twice");
        assertThatThrownBy(() -> factory.create("3"))
                .hasMessage("an alphabet needs at least 2 values, e.g. levels:-1,1");
    }

    @Nested
    class Fp32 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new Fp32Quantizer();
        }
    }

    @Nested
    class Binary extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new BinaryQuantizer();
        }
    }

    @Nested
    class Ternary extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new TernaryQuantizer();
        }
    }

    @Nested
    class Quinary extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new QuinaryQuantizer();
        }
    }

    @Nested
    class Quaternary extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new QuaternaryQuantizer();
        }
    }

    @Nested
    class QuaternaryLearned extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new QuaternaryQuantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class K8 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K8Quantizer();
        }
    }

    @Nested
    class K8Learned extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K8Quantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class K9 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K9Quantizer();
        }
    }

    @Nested
    class K9Learned extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K9Quantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class K16 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K16Quantizer();
        }
    }

    @Nested
    class K16Learned extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K16Quantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class K17 extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K17Quantizer();
        }
    }

    @Nested
    class K17Learned extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new K17Quantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }

    @Nested
    class CustomLevels extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new LevelsQuantizerFactory().create("-3,-1,0,0.5,4");
        }
    }

    @Nested
    class TernaryAbsmeanPerChannel extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new TernaryQuantizer().withScaleRule(ScaleRules.parse("absmean/channel"));
        }
    }

    @Nested
    class QuinaryAbsmax extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new QuinaryQuantizer().withScaleRule(ScaleRules.parse("absmax"));
        }
    }
}
