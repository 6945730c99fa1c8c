package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.QuantizerContract;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class BuiltInQuantizersTest {

    @Test
    void serviceLoaderFindsEveryBuiltIn() {
        assertThat(ServiceLoader.load(Quantizer.class).stream().map(p -> p.get().id()))
                .containsExactlyInAnyOrder("fp32", "binary", "ternary", "quinary");
    }

    @Test
    void alphabetsAreThoseOfTheStudy() {
        assertThat(new BinaryQuantizer().alphabet()).contains(Alphabet.of(-1, 1));
        assertThat(new TernaryQuantizer().alphabet()).contains(Alphabet.of(-1, 0, 1));
        assertThat(new QuinaryQuantizer().alphabet()).contains(Alphabet.of(-2, -1, 0, 1, 2));
        assertThat(new Fp32Quantizer().alphabet()).isEmpty();
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
}
