package dev.lowbit.testkit;

import static dev.lowbit.testkit.ContractAssertions.assertFinite;
import static dev.lowbit.testkit.ContractAssertions.assertFiniteAndNotAllZero;
import static dev.lowbit.testkit.ContractAssertions.assertFloat32OfShape;
import static dev.lowbit.testkit.ContractAssertions.assertOnGrid;
import static dev.lowbit.testkit.ContractAssertions.assertSameBits;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.TrainedValue;
import dev.lowbit.format.lbw.QuantizedTensor;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The checks {@link QuantizerContract} runs on a {@link LearnedQuantizer} that trains values for a weight
 * shape: the values it declares, where they start, that the forward pass on them is the packed form and
 * that every one of them trains.
 */
final class LearnedQuantizerChecks {

    private LearnedQuantizerChecks() {}

    /** Whether {@code quantizer} trains values beside weights of this shape. */
    static boolean trainsValues(Object quantizer, Shape shape) {
        return quantizer instanceof LearnedQuantizer learned
                && !learned.isFullPrecision()
                && !learned.trainedValues(shape).isEmpty();
    }

    /**
     * The declared values have distinct names, the same for every shape of the weight's rank (layers
     * register them before they know the weight's shape), and initialValues gives finite values of the
     * declared shapes.
     */
    static NDList declaresAndInitialisesItsValues(LearnedQuantizer quantizer, NDArray weights) {
        String where = QuantizerChecks.where(quantizer, weights);
        List<TrainedValue> declared = quantizer.trainedValues(weights.getShape());
        Set<String> names = new HashSet<>();
        for (TrainedValue value : declared) {
            assertThat(names.add(value.name()))
                    .as(
                            "%s: trained value names must be distinct, '%s' appears twice in %s",
                            where, value.name(), declared)
                    .isTrue();
        }
        long[] ones = new long[weights.getShape().dimension()];
        Arrays.fill(ones, 1);
        List<String> placeholder = quantizer.trainedValues(new Shape(ones)).stream()
                .map(TrainedValue::name)
                .toList();
        assertThat(placeholder)
                .as(
                        "%s: trainedValues must name the same values for every shape of the weight's rank"
                                + " (a layer registers them for the placeholder shape %s before it knows the real one)",
                        where, new Shape(ones))
                .isEqualTo(declared.stream().map(TrainedValue::name).toList());

        NDList initial = quantizer.initialValues(weights);
        assertThat(initial)
                .as("%s: initialValues must return one array per trained value %s", where, declared)
                .hasSize(declared.size());
        for (int i = 0; i < declared.size(); i++) {
            TrainedValue value = declared.get(i);
            String what = where + ": initial value '" + value.name() + "'";
            assertFloat32OfShape(initial.get(i), value.shape(), what);
            assertFinite(initial.get(i).toFloatArray(), what);
        }
        return initial;
    }

    /**
     * quantizeTrained in evaluation is the packed form bit for bit, its codes are in range, and a seeded
     * training pass is reproducible and stays on the packed alphabet.
     */
    static void evaluatesAsItsPackedForm(LearnedQuantizer quantizer, NDArray weights, NDList trained) {
        String where = QuantizerChecks.where(quantizer, weights);
        NDArray codes = quantizer.codes(weights, trained);
        assertFloat32OfShape(codes, weights.getShape(), where + ": codes(W, trained)");
        int levels = quantizer.packedAlphabet(trained).length;
        for (float code : codes.toFloatArray()) {
            assertThat(code + 0f)
                    .as("%s: codes(W, trained) must be integers in [0, %d)", where, levels)
                    .isBetween(0f, levels - 1f)
                    .isEqualTo((float) Math.rint(code));
        }
        NDArray evaluated =
                quantizer.quantizeTrained(weights, trained, quantizer.estimator(), QuantizationContext.EVALUATION);
        assertFloat32OfShape(evaluated, weights.getShape(), where + ": quantizeTrained(W, trained, EVALUATION)");
        QuantizedTensor packed = PackedForm.of(quantizer, weights, trained);
        assertSameBits(
                evaluated.toFloatArray(),
                packed.dequantize(),
                where + ": quantizeTrained(W, trained, EVALUATION)"
                        + " must equal the packed form (float(packedAlphabet[codes(W, trained)]) - z) * packedScale bit for"
                        + " bit, in float32: it is what lowbit eval decodes");

        QuantizerRandom random = new QuantizerRandom(QuantizerChecks.SEED);
        long start = random.state();
        float[] training = quantizer
                .quantizeTrained(weights, trained, quantizer.estimator(), random.context(true))
                .toFloatArray();
        float[] twin = quantizer
                .quantizeTrained(
                        weights,
                        trained,
                        quantizer.estimator(),
                        new QuantizerRandom(QuantizerChecks.SEED).context(true))
                .toFloatArray();
        assertSameBits(
                twin,
                training,
                where + ": two generators with the same seed must give the same quantizeTrained"
                        + " values while training");
        if (random.state() != start) {
            random.restore(start);
            assertSameBits(
                    quantizer
                            .quantizeTrained(weights, trained, quantizer.estimator(), random.context(true))
                            .toFloatArray(),
                    training,
                    where + ": restoring the generator's state must repeat quantizeTrained");
        }
        assertOnGrid(
                training,
                PackedForm.candidates(packed),
                where + ": while training, quantizeTrained must still give"
                        + " values of the packed alphabet at the packed scale");
    }

    /**
     * On the tape: the weights and every trained value receive a finite gradient, not zero everywhere, for
     * a generic upstream gradient.
     */
    static void trainsEveryValue(LearnedQuantizer quantizer, NDArray weights, NDList initial) {
        String where = QuantizerChecks.where(quantizer, weights);
        NDManager manager = weights.getManager();
        NDArray shadow = weights.duplicate();
        shadow.setRequiresGradient(true);
        NDList trained = new NDList();
        for (NDArray value : initial) {
            NDArray live = value.duplicate();
            live.setRequiresGradient(true);
            trained.add(live);
        }
        NDArray upstream = manager.randomUniform(-1, 1, weights.getShape());
        try (GradientCollector tape = Engine.getInstance().newGradientCollector()) {
            NDArray quantized = quantizer.quantizeTrained(
                    shadow, trained, quantizer.estimator(), new QuantizerRandom(QuantizerChecks.SEED).context(true));
            tape.backward(quantized.mul(upstream).sum());
        }
        assertFiniteAndNotAllZero(
                shadow.getGradient().toFloatArray(),
                where + ": the weights' gradient through"
                        + " quantizeTrained (write it with recorded ops on the shadow weights, e.g. Q + (W - stopGradient(W)))");
        List<TrainedValue> declared = quantizer.trainedValues(weights.getShape());
        for (int i = 0; i < declared.size(); i++) {
            assertFiniteAndNotAllZero(
                    trained.get(i).getGradient().toFloatArray(),
                    where + ": the gradient of trained" + " value '"
                            + declared.get(i).name() + "' through quantizeTrained (use it in recorded ops)");
        }
    }
}
