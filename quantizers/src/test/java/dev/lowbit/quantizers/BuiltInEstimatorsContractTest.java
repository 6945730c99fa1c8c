package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.testkit.GradientEstimatorContract;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Every built-in gradient estimator passes the contract a plugin's estimator passes. */
class BuiltInEstimatorsContractTest {

    @Test
    void everyRegisteredEstimatorRunsTheContract() {
        assertThat(ContractCoverage.subjects(getClass(), GradientEstimatorContract.class, "estimator"))
                .extracting(estimator -> ((GradientEstimator) estimator).id())
                .containsAll(ServiceLoader.load(GradientEstimator.class).stream()
                        .map(p -> p.get().id())
                        .toList());
    }

    @Nested
    class Ste extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new SteEstimator();
        }
    }

    @Nested
    class Clipped extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new ClippedEstimator();
        }
    }

    @Nested
    class ApproxSign extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new ApproxSignEstimator();
        }
    }

    @Nested
    class SwishSign extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new SwishSignEstimator();
        }
    }

    @Nested
    class DorefaTanh extends GradientEstimatorContract {
        @Override
        protected GradientEstimator estimator() {
            return new DorefaTanhEstimator();
        }
    }
}
