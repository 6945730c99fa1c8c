package dev.lowbit.testkit;

import dev.lowbit.api.scale.AbsMaxScale;
import dev.lowbit.api.scale.AbsMeanScale;
import dev.lowbit.api.scale.GaussianScale;
import dev.lowbit.api.scale.LearnedScale;
import dev.lowbit.api.scale.MinMaxScale;
import dev.lowbit.api.scale.MseScale;
import dev.lowbit.api.spi.ScaleRule;
import org.junit.jupiter.api.Nested;

/** Every built-in scale rule passes the contract a plugin's rule passes. */
class BuiltInScaleRulesContractTest {

    @Nested
    class AbsMean extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new AbsMeanScale();
        }
    }

    @Nested
    class AbsMax extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new AbsMaxScale();
        }
    }

    @Nested
    class Gauss extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new GaussianScale();
        }
    }

    @Nested
    class Mse extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new MseScale();
        }
    }

    @Nested
    class Learned extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new LearnedScale();
        }
    }

    @Nested
    class MinMax extends ScaleRuleContract {
        @Override
        protected ScaleRule rule() {
            return new MinMaxScale();
        }
    }
}
