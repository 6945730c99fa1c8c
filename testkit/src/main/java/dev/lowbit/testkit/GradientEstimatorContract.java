package dev.lowbit.testkit;

import static dev.lowbit.testkit.ContractAssertions.assertFinite;
import static dev.lowbit.testkit.ContractAssertions.assertSameBits;
import static dev.lowbit.testkit.ContractAssertions.broadcastsInto;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.internal.PersistedIds;
import dev.lowbit.api.spi.GradientEstimator;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The contract every gradient estimator passes, built-in or third-party: extend this class and return
 * your estimator from {@link #estimator()}. It ships in lowbit-testkit and runs on the real engine.
 *
 * <p>The derivative is taken of inputs of rank 1, 2 and 4 (weights of every layer kind, and a
 * convolution's input) spanning u from -3 to 3 in steps of 0.05, 0 and +-1 included, plus +-40 (where
 * cosh and exp overflow float32). It must be finite float32 of the input's shape (or one that
 * broadcasts to it), owned by the input's manager, leave its input unchanged, stay off the gradient
 * tape, and be 1 everywhere exactly when {@link GradientEstimator#isIdentity()} says so. Its sign is
 * not checked: SwishSign's derivative dips below zero, as the paper's does.
 */
public abstract class GradientEstimatorContract {

    /** The shapes the derivative is taken on: 120 values each. */
    private static final List<Shape> SHAPES = List.of(new Shape(120), new Shape(8, 15), new Shape(2, 3, 4, 5));

    protected NDManager manager;

    /** The estimator under test. */
    protected abstract GradientEstimator estimator();

    @BeforeEach
    void openManager() {
        Engine.getInstance().setRandomSeed(13);
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void closeManager() {
        manager.close();
    }

    /** u from -3 to 2.95 in steps of 0.05 (0 and +-1 among them), the first and last replaced by -40 and 40. */
    protected NDArray normalizedInput(Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (i - 60) * 0.05f;
        }
        values[0] = -40f;
        values[values.length - 1] = 40f;
        return manager.create(values, shape);
    }

    @Test
    void hasAValidStableIdAndADescription() {
        assertThat(PersistedIds.requireValid(estimator().id()))
                .isEqualTo(estimator().id());
        assertThat(estimator().description())
                .as("description(), one line for lowbit list citing the paper")
                .isNotBlank();
    }

    /** Finite float32, broadcastable to the input, owned by its manager, the input left as it was. */
    @TestFactory
    Stream<DynamicTest> givesAFiniteFloat32DerivativeOfTheInputsShape() {
        List<DynamicTest> tests = new ArrayList<>();
        for (Shape shape : SHAPES) {
            tests.add(DynamicTest.dynamicTest(estimator().id() + " on " + shape, () -> {
                String where = "estimator '" + estimator().id() + "' on " + shape;
                NDArray u = normalizedInput(shape);
                float[] before = u.toFloatArray();
                NDArray derivative = estimator().derivative(u);
                assertThat(derivative)
                        .as("%s: derivative(u) returned null", where)
                        .isNotNull();
                assertThat(derivative.getDataType())
                        .as("%s: the derivative's type", where)
                        .isEqualTo(DataType.FLOAT32);
                assertThat(broadcastsInto(derivative.getShape(), shape))
                        .as(
                                "%s: the derivative has shape %s, which" + " must be the input's or broadcast to it",
                                where, derivative.getShape())
                        .isTrue();
                assertFinite(
                        derivative.toFloatArray(),
                        where + ": the derivative (guard overflow: e.g. cosh(40 beta)" + " is infinite in float32)");
                assertThat(derivative.getManager())
                        .as(
                                "%s: the derivative must be owned by the input's manager, which"
                                        + " lowbit closes with the batch",
                                where)
                        .isSameAs(u.getManager());
                assertSameBits(
                        u.toFloatArray(),
                        before,
                        where + ": derivative(u) must not change u (write in place" + " only on arrays you created)");
            }));
        }
        return tests.stream();
    }

    @Test
    void isOneEverywhereExactlyWhenItSaysItIsTheIdentity() {
        isOneEverywhereExactlyWhenItSaysItIsTheIdentity(estimator(), normalizedInput(SHAPES.get(1)));
    }

    /** The identity check on {@code u}, spanning -40 to 40. */
    static void isOneEverywhereExactlyWhenItSaysItIsTheIdentity(GradientEstimator estimator, NDArray u) {
        float[] derivative = estimator.derivative(u).broadcast(u.getShape()).toFloatArray();
        boolean allOnes = true;
        for (float value : derivative) {
            allOnes &= value == 1f;
        }
        if (estimator.isIdentity()) {
            assertThat(allOnes)
                    .as(
                            "estimator '%s' says isIdentity(), so lowbit skips it: its derivative must be 1"
                                    + " everywhere",
                            estimator.id())
                    .isTrue();
        } else {
            assertThat(allOnes)
                    .as(
                            "estimator '%s' gives 1 everywhere, from u = -40 to 40: say isIdentity() so that"
                                    + " lowbit skips the multiplication",
                            estimator.id())
                    .isFalse();
        }
    }

    /**
     * Computed inside a gradient collector, as training computes it, on u off the tape (lowbit passes
     * {@code normalized(stopGradient(x), s)}): the derivative requires no gradient, and using it as a factor
     * of x passes exactly that factor to x.
     */
    @Test
    void staysOffTheGradientTape() {
        String where = "estimator '" + estimator().id() + "'";
        NDArray x = normalizedInput(SHAPES.get(2));
        x.setRequiresGradient(true);
        float[] factor;
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray derivative = estimator().derivative(x.stopGradient());
            assertThat(derivative.hasGradient())
                    .as(
                            "%s: the derivative must not be on the gradient tape (compute it"
                                    + " from u alone, with no array that requires a gradient)",
                            where)
                    .isFalse();
            factor = derivative.broadcast(x.getShape()).toFloatArray();
            tape.backward(x.mul(derivative).sum());
        }
        assertSameBits(
                x.getGradient().toFloatArray(),
                factor,
                where + ": x * derivative must pass exactly the"
                        + " derivative to x, as the one recorded multiplication of m * (x - stopGradient(x))");
    }
}
