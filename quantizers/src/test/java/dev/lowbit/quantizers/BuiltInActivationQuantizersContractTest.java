package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.testkit.ActivationQuantizerContract;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every built-in activation quantizer, in each of its options, passes the contract a plugin's passes. */
class BuiltInActivationQuantizersContractTest {

    @Test
    void everyRegisteredActivationQuantizerRunsTheContractInEveryGranularityItTakes() {
        assertThat(ContractCoverage.subjects(getClass(), ActivationQuantizerContract.class, "quantizer"))
                .extracting(quantizer -> ((ActivationQuantizer) quantizer).spec())
                .contains("int8@absmax/token", "int8@absmax/tensor", "int4@absmax/token", "int4@absmax/tensor")
                .extracting(spec -> spec.replaceAll("[@:].*", ""))
                .containsAll(ServiceLoader.load(ActivationQuantizer.class).stream()
                        .map(p -> p.get().id())
                        .toList());
    }

    @Nested
    class Int8PerToken extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new Int8ActivationQuantizer();
        }
    }

    @Nested
    class Int8PerTensor extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new Int8ActivationQuantizer().configure("@absmax/tensor");
        }
    }

    @Nested
    class Int4PerToken extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new Int4ActivationQuantizer().configure("@absmax/token");
        }
    }

    @Nested
    class Int4PerTensor extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new Int4ActivationQuantizer().configure("@absmax/tensor");
        }
    }

    @Nested
    class Pact4 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new PactActivationQuantizer().configure(":4");
        }
    }

    @Nested
    class Pact2 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new PactActivationQuantizer().configure(":2");
        }
    }

    @Nested
    class Dorefa4 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new DorefaActivationQuantizer().configure(":4");
        }
    }

    @Nested
    class Dorefa1 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new DorefaActivationQuantizer().configure(":1");
        }
    }

    @Nested
    class Lsq4 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new LsqActivationQuantizer().configure(":4");
        }
    }

    @Nested
    class Lsq2 extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new LsqActivationQuantizer().configure(":2");
        }
    }

    @Nested
    class Sign extends ActivationQuantizerContract {
        @Override
        protected ActivationQuantizer quantizer() {
            return new SignActivationQuantizer();
        }
    }
}
