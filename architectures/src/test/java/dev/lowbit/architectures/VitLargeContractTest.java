package dev.lowbit.architectures;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.testkit.ArchitectureContract;

/** vit-large against the contract every architecture passes (lowbit-testkit). */
class VitLargeContractTest extends ArchitectureContract {

    @Override
    protected Architecture architecture() {
        return new VitLargeArchitecture();
    }

    @Override
    protected long documentedParameters() {
        return 805_130;
    }

    /** On 1x28x28 with 10 classes: patch kernel 6,272, blocks 6 x 131,072, classifier 1,280. */
    @Override
    protected long quantizedWeights(LayerPolicy policy) {
        return switch (policy) {
            case ALL -> 793_984;
            case FP32_FIRST -> 787_712;
            case FP32_LAST -> 792_704;
            case FP32_FIRST_LAST -> 786_432;
        };
    }
}
