package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.lowbit.api.spi.QuantizationContext;

/** A training context whose draws are given: the values a test wants, in the shape asked for. */
final class GivenDraws implements QuantizationContext {

    private final float[] draws;
    private int calls;

    GivenDraws(float... draws) {
        this.draws = draws.clone();
    }

    @Override
    public boolean training() {
        return true;
    }

    @Override
    public NDArray uniform(NDManager manager, Shape shape) {
        assertThat(shape.size()).as("draws asked for").isEqualTo(draws.length);
        calls++;
        return manager.create(draws, shape);
    }

    /** How many times the quantizer drew. */
    int calls() {
        return calls;
    }
}
