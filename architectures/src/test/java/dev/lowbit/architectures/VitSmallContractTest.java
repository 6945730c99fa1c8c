package dev.lowbit.architectures;

import dev.lowbit.api.spi.Architecture;
import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.testkit.ArchitectureContract;

/** vit-small against the contract every architecture passes (lowbit-testkit). */
class VitSmallContractTest extends ArchitectureContract {

    @Override
    protected Architecture architecture() {
        return new VitSmallArchitecture();
    }

    @Override
    protected long documentedParameters() {
        return 60_730;
    }

    /** On 1x28x28 with 10 classes: patch kernel 2,352, blocks 3 x 18,432, classifier 480. */
    @Override
    protected long quantizedWeights(LayerPolicy policy) {
        return switch (policy) {
            case ALL -> 58_128;
            case FP32_FIRST -> 55_776;
            case FP32_LAST -> 57_648;
            case FP32_FIRST_LAST -> 55_296;
        };
    }
}
