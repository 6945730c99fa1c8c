package dev.lowbit.api.nn;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StraightThroughEstimatorTest {

    private final Quantizer ternary = new SchemeFixtures.Ternary();
    private NDManager manager;

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(5);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    private NDArray shadow() {
        NDArray shadow = manager.randomNormal(new Shape(8, 16));
        shadow.setRequiresGradient(true);
        return shadow;
    }

    @Test
    void aClippedEstimatorPassesTheGradientInsideTheLevelsAndNoneBeyond() {
        NDArray shadow = shadow();
        NDArray upstream = manager.randomNormal(new Shape(8, 16));
        NDArray quantized;
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = StraightThrough.quantize(
                    shadow, ternary, new SchemeFixtures.Clipped(), QuantizationContext.EVALUATION, batch);
            quantized = wq.duplicate();
            quantized.attach(manager);
            tape.backward(wq.mul(upstream).sum());
        }

        NDArray detached = shadow.stopGradient();
        NDArray u = ternary.normalized(detached, ternary.scale(detached));
        NDArray inside = u.abs().lte(1f).toType(DataType.FLOAT32, false);
        assertThat(inside.sum().getFloat()).as("some weights inside").isPositive();
        assertThat(inside.sum().getFloat()).as("some weights beyond").isLessThan(8 * 16);
        assertThat(shadow.getGradient().toFloatArray())
                .containsExactly(upstream.mul(inside).toFloatArray());
        assertThat(quantized.toFloatArray())
                .containsExactly(ternary.quantize(detached).toFloatArray());
    }

    @Test
    void theIdentityEstimatorComputesExactlyThePlainStraightThroughPath() {
        NDArray shadow = shadow();
        NDArray twin = shadow.duplicate();
        twin.setRequiresGradient(true);
        NDArray upstream = manager.randomNormal(new Shape(8, 16));
        float[] plainValue;
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = StraightThrough.quantize(shadow, ternary, batch);
            plainValue = wq.toFloatArray();
            tape.backward(wq.mul(upstream).sum());
        }
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = StraightThrough.quantize(
                    twin, ternary, GradientEstimator.STE, new QuantizerRandom(1).context(true), batch);
            assertThat(wq.toFloatArray()).containsExactly(plainValue);
            tape.backward(wq.mul(upstream).sum());
        }

        assertThat(twin.getGradient().toFloatArray())
                .containsExactly(shadow.getGradient().toFloatArray());
    }

    @Test
    void everyArrayItMakesBelongsToTheBatchManager() {
        NDArray shadow = shadow();
        int before = manager.getManagedArrays().size();
        try (NDManager batch = manager.newSubManager();
                GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray wq = StraightThrough.quantize(
                    shadow, ternary, new SchemeFixtures.Clipped(), QuantizationContext.EVALUATION, batch);
            tape.backward(wq.sum());
        }

        // Parameters live in a long-lived manager: nothing derived from them may stay behind there.
        assertThat(manager.getManagedArrays()).hasSize(before);
    }
}
