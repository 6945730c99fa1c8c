package dev.lowbit.quantizers;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.lowbit.api.spi.GradientEstimator;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

class GradientEstimatorsTest extends EngineTest {

    private static final float[] U = {-2f, -1f, -0.5f, 0f, 0.25f, 1f, 1.5f};

    @Test
    void serviceLoaderFindsEveryBuiltInEstimator() {
        assertThat(ServiceLoader.load(GradientEstimator.class).stream()
                        .map(p -> p.get().id()))
                .containsExactly("ste", "clipped", "approx-sign", "swish-sign", "dorefa-tanh");
    }

    @Test
    void everyEstimatorCitesItsPaper() {
        assertThat(ServiceLoader.load(GradientEstimator.class).stream()
                        .map(p -> p.get().description()))
                .allSatisfy(description ->
                        assertThat(description).containsPattern("et al\\. \\d{4}.*arXiv:\\d{4}\\.\\d{4,5}"));
    }

    @Test
    void steIsTheIdentityUnderItsId() {
        SteEstimator ste = new SteEstimator();
        assertThat(ste.id()).isEqualTo("ste");
        assertThat(ste.isIdentity()).isTrue();
        assertThat(ste.derivative(vector(U)).toFloatArray()).containsOnly(1f);
    }

    @Test
    void clippedPassesTheGradientWithinPlusMinusOneOnly() {
        assertThat(new ClippedEstimator().derivative(vector(U)).toFloatArray()).containsExactly(0, 1, 1, 1, 1, 1, 0);
    }

    @Test
    void approxSignIsBiRealNetsTriangle() {
        // max(0, 2 - 2|u|)
        assertThat(new ApproxSignEstimator().derivative(vector(U)).toFloatArray())
                .containsExactly(0, 0, 1, 2, 1.5f, 0, 0);
    }

    @Test
    void swishSignIsTheDerivativeOfBnnPlusSignSwishWithBetaFive() {
        float[] expected = new float[U.length];
        for (int i = 0; i < U.length; i++) {
            double bu = 5 * U[i];
            expected[i] = (float) (5 * (2 - bu * Math.tanh(bu / 2)) / (1 + Math.cosh(bu)));
        }
        NDArray derivative = new SwishSignEstimator().derivative(vector(U));
        assertCloseTo(derivative, expected);
        assertThat(derivative.getFloat(3)).as("the peak, beta at u = 0").isEqualTo(5f);
    }

    @Test
    void swishSignStaysFiniteWhereCoshOverflows() {
        // cosh(200) is infinite in float32: the derivative is (-)0, not NaN.
        assertCloseTo(new SwishSignEstimator().derivative(vector(-40f, 40f)), 0f, 0f);
    }

    @Test
    void dorefaTanhIsTheSlopeOfTanhOverItsLargestMagnitude() {
        float[] u = {-1f, 0f, 0.5f, 2f};
        double largest = Math.tanh(2);
        float[] expected = new float[u.length];
        for (int i = 0; i < u.length; i++) {
            double t = Math.tanh(u[i]);
            expected[i] = (float) ((1 - t * t) / largest);
        }
        assertCloseTo(new DorefaTanhEstimator().derivative(vector(u)), expected);
    }

    @Test
    void derivativesAreFloat32ShapedLikeTheirInputAndOwnedByItsManager() {
        NDArray u = matrix(new float[] {-1.5f, 0.2f}, new float[] {0.9f, 3f});
        for (GradientEstimator estimator : ServiceLoader.load(GradientEstimator.class)) {
            NDArray derivative = estimator.derivative(u);
            assertThat(derivative.getDataType()).as(estimator.id()).isEqualTo(DataType.FLOAT32);
            assertThat(derivative.getShape()).as(estimator.id()).isEqualTo(u.getShape());
            assertThat(derivative.getManager()).as(estimator.id()).isSameAs(manager);
            assertThat(estimator.isIdentity())
                    .as(estimator.id())
                    .isEqualTo(estimator.id().equals("ste"));
        }
    }
}
