package dev.lowbit.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.lowbit.api.scale.ScaleRules;
import dev.lowbit.api.spi.Alphabet;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.RadixPacking;
import dev.lowbit.testkit.QuantizerContract;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** pow2 against lowbit's quantizer contract (lowbit-testkit), and what its uneven alphabet does. */
class PowerOfTwoQuantizerTest {

    @Test
    void isRegisteredForServiceLoader() {
        assertThat(ServiceLoader.load(Quantizer.class).stream().map(p -> p.get().id()))
                .containsExactly("pow2");
    }

    @Test
    void hasSevenLevelsWithZeroAt281Bits() {
        Quantizer pow2 = new PowerOfTwoQuantizer();
        assertThat(pow2.alphabet()).contains(Alphabet.of(-4, -2, -1, 0, 1, 2, 4));
        assertThat(pow2.alphabet().orElseThrow().hasZero()).isTrue();
        assertThat(pow2.levels()).isEqualTo(7);
        assertThat(pow2.bitsPerWeight()).isCloseTo(2.807, within(0.001));
        assertThat(pow2.spec()).isEqualTo("pow2@mse/tensor");
    }

    @Test
    void snapsToTheNearestPowerOfTwoWhereTheLevelsAreUnevenlySpaced() {
        try (NDManager manager = NDManager.newBaseManager()) {
            Quantizer pow2 = new PowerOfTwoQuantizer();
            NDArray weights = manager.create(new float[] {-5f, -3.1f, -2.9f, -0.4f, 0.6f, 1.4f, 1.6f, 2.9f, 3.1f, 9f});
            NDArray unitScale = manager.create(1f);
            // Midpoints: 0.5 between 0 and 1, 1.5 between 1 and 2, 3 between 2 and 4; beyond 4 clips to 4.
            assertThat(pow2.quantize(weights, unitScale).toFloatArray())
                    .containsExactly(-4f, -4f, -2f, 0f, 1f, 1f, 2f, 2f, 4f, 4f);
            assertThat(pow2.codes(weights, unitScale).toFloatArray())
                    .containsExactly(0f, 0f, 1f, 3f, 4f, 4f, 5f, 5f, 6f, 6f);
        }
    }

    @Test
    void packsSevenLevelsCloseToLog2Of7BitsPerWeight() {
        RadixPacking packing = RadixPacking.forLevels(new PowerOfTwoQuantizer().levels());
        assertThat(packing.bitsPerCode()).isBetween(Math.log(7) / Math.log(2), 1.02 * Math.log(7) / Math.log(2));
    }

    @Nested
    class Contract extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new PowerOfTwoQuantizer();
        }
    }

    @Nested
    class ContractWithALearnedScalePerChannel extends QuantizerContract {
        @Override
        protected Quantizer quantizer() {
            return new PowerOfTwoQuantizer().withScaleRule(ScaleRules.parse("learned/channel"));
        }
    }
}
