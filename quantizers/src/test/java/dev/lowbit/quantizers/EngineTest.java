package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Hand-worked tensors on the real engine: one manager per test. */
abstract class EngineTest {

    /** Float32 round-off in a handful of ops on values near 1. */
    static final Offset<Float> ROUND_OFF = Offset.offset(1e-6f);

    protected NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(7);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** A float32 matrix, row by row. */
    NDArray matrix(float[]... rows) {
        float[] values = new float[rows.length * rows[0].length];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(rows[i], 0, values, i * rows[0].length, rows[0].length);
        }
        return manager.create(values, new Shape(rows.length, rows[0].length));
    }

    /** A float32 vector. */
    NDArray vector(float... values) {
        return manager.create(values);
    }

    /** A trained scalar of shape (1), as the schemes declare theirs. */
    NDArray scalar(float value) {
        return manager.create(new float[] {value}, new Shape(1));
    }

    /** Asserts equal values within {@link #ROUND_OFF}, element by element. */
    static void assertCloseTo(NDArray actual, float... expected) {
        float[] values = actual.toFloatArray();
        assertThat(values).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(values[i])
                    .as("element %d of %s", i, java.util.Arrays.toString(values))
                    .isCloseTo(expected[i], ROUND_OFF);
        }
    }
}
