package dev.lowbit.testkit;

import static dev.lowbit.testkit.ContractAssertions.assertFinite;
import static dev.lowbit.testkit.ContractAssertions.assertFloat32OfShape;
import static dev.lowbit.testkit.ContractAssertions.assertOnGrid;
import static dev.lowbit.testkit.ContractAssertions.assertSameBits;
import static dev.lowbit.testkit.ContractAssertions.broadcastsInto;
import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.nn.QuantizerRandom;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.format.lbw.QuantizedTensor;

/**
 * The checks {@link QuantizerContract} runs on one configured quantizer and one weight tensor: how
 * training, evaluation and the packed file see it (docs/SCHEMES.md, "Training" and "Packed file").
 * Each takes the weights fresh and fails with a message naming the quantizer's spec, the shape and what
 * to fix.
 */
final class QuantizerChecks {

    /** The seed of the generator training draws from in these checks. */
    static final long SEED = 20_240_229L;

    private QuantizerChecks() {}

    /** {@code spec on [shape]}, the start of every message. */
    static String where(Quantizer quantizer, NDArray weights) {
        return quantizer.spec() + " on " + weights.getShape();
    }

    /**
     * Shape kept, the straight-through value exactly Q(W), positive finite float32 scales of the declared
     * count and layout (broadcasting, or {@code (out, groups)} per group, zero points stacked after them when
     * affine), codes that are integers in range and decode exactly, outputs on the alphabet at their scale.
     */
    static void quantizesOntoItsAlphabet(Quantizer quantizer, NDArray weights, NDManager scope) {
        String where = where(quantizer, weights);
        Shape shape = weights.getShape();
        NDArray quantized = quantizer.quantize(weights);
        assertThat(quantized.getShape())
                .as("%s: Q(W) keeps the weights' shape", where)
                .isEqualTo(shape);
        assertSameBits(
                StraightThrough.quantize(weights, quantizer, scope).toFloatArray(),
                quantized.toFloatArray(),
                where + ": the straight-through forward value must be Q(W) exactly");
        if (quantizer.isFullPrecision()) {
            return;
        }
        NDArray scale = quantizer.scale(weights);
        assertThat(scale.getDataType()).as("%s: the scale's type", where).isEqualTo(DataType.FLOAT32);
        assertThat(scale.size())
                .as("%s: scale(W) must hold scaleCount(shape) numbers", where)
                .isEqualTo(quantizer.scaleCount(shape.getShape()));
        NDArray scales = scale;
        if (quantizer.affine()) {
            assertThat(scale.getShape().dimension() > 0 && scale.getShape().get(0) == 2)
                    .as(
                            "%s: an affine quantizer's"
                                    + " scale(W) stacks scales and zero points on a leading axis of length 2, got shape %s",
                            where, scale.getShape())
                    .isTrue();
            scales = scale.get(0);
            assertFinite(scale.get(1).toFloatArray(), where + ": the zero points");
        }
        if (quantizer.granularity().isGroup() && shape.dimension() > 1) {
            assertThat(scales.getShape())
                    .as("%s: group scales have the compact shape (out, groups)", where)
                    .isEqualTo(quantizer.granularity().scaleShape(shape));
        } else {
            assertThat(broadcastsInto(scales.getShape(), shape))
                    .as("%s: the scale's shape %s must broadcast against" + " the weights", where, scales.getShape())
                    .isTrue();
        }
        for (float value : scales.toFloatArray()) {
            assertThat(value).as("%s: every scale", where).isPositive().isFinite();
        }
        NDArray codes = quantizer.codes(weights, scale);
        assertThat(codes.getShape())
                .as("%s: codes(W, s) has the weights' shape", where)
                .isEqualTo(shape);
        for (float code : codes.toFloatArray()) {
            assertThat(code + 0f)
                    .as("%s: codes are integers in [0, %d)", where, quantizer.levels())
                    .isBetween(0f, quantizer.levels() - 1f)
                    .isEqualTo((float) Math.rint(code));
        }
        float[] atScale = quantizer.quantize(weights, scale).toFloatArray();
        assertSameBits(
                quantizer.decode(codes, scale).toFloatArray(),
                atScale,
                where + ": decode(codes(W, s), s) must equal quantize(W, s)");
        assertOnGrid(
                atScale,
                PackedForm.candidates(PackedForm.of(quantizer, weights, null)),
                where
                        + ": quantize(W, s) must lie on the alphabet "
                        + quantizer.alphabet().orElseThrow()
                        + " at scale s (and zero point z)");
    }

    /**
     * quantize(W, s, EVALUATION), quantize(W, s) and decode(codes(W, s), s) are the same bits, and none of
     * the plain functions changes the weights they are given (training hands them a view of the shadow
     * weights).
     */
    static void evaluatesAsTheDecodeOfItsCodes(Quantizer quantizer, NDArray weights) {
        String where = where(quantizer, weights);
        float[] before = weights.toFloatArray();
        NDArray scale = quantizer.scale(weights);
        float[] evaluated = quantizer
                .quantize(weights, scale, QuantizationContext.EVALUATION)
                .toFloatArray();
        float[] plain = quantizer.quantize(weights, scale).toFloatArray();
        assertSameBits(
                evaluated,
                plain,
                where + ": quantize(W, s, EVALUATION) must equal quantize(W, s) bit for bit"
                        + " (evaluation, export and the packed file are deterministic: round to nearest when"
                        + " context.training() is false)");
        if (!quantizer.isFullPrecision()) {
            float[] decoded =
                    quantizer.decode(quantizer.codes(weights, scale), scale).toFloatArray();
            assertSameBits(
                    plain,
                    decoded,
                    where + ": quantize(W, s) must equal decode(codes(W, s), s) bit for bit"
                            + " (the packed file stores the codes; override quantize and codes together)");
            quantizer.normalized(weights, scale);
        }
        assertSameBits(
                weights.toFloatArray(),
                before,
                where + ": scale, codes, quantize and normalized must not"
                        + " change the weights they are given (training passes a view of the shadow weights; write"
                        + " in place only on arrays you created)");
    }

    /**
     * With a seeded training context: the shape is kept, the values lie on the alphabet at scale s, two
     * generators with the same seed give the same bits and restoring the generator's state repeats them;
     * a quantizer that draws nothing quantizes as in evaluation.
     */
    static void trainsReproduciblyFromASeededGenerator(Quantizer quantizer, NDArray weights) {
        String where = where(quantizer, weights);
        NDArray scale = quantizer.scale(weights);
        QuantizerRandom random = new QuantizerRandom(SEED);
        long start = random.state();
        NDArray trained = quantizer.quantize(weights, scale, random.context(true));
        long after = random.state();
        assertFloat32OfShape(trained, weights.getShape(), where + ": quantize(W, s, training context)");
        float[] values = trained.toFloatArray();
        float[] twin = quantizer
                .quantize(weights, scale, new QuantizerRandom(SEED).context(true))
                .toFloatArray();
        assertSameBits(
                twin,
                values,
                where + ": two generators with the same seed must give the same training values"
                        + " (draw only from context.uniform, never from another source of randomness)");
        if (after == start) {
            assertSameBits(
                    values,
                    quantizer.quantize(weights, scale).toFloatArray(),
                    where + ": it drew nothing while"
                            + " training, so quantize(W, s, training context) must equal quantize(W, s)");
        } else {
            random.restore(start);
            float[] repeated =
                    quantizer.quantize(weights, scale, random.context(true)).toFloatArray();
            assertSameBits(
                    repeated,
                    values,
                    where + ": restoring the generator's state must repeat the training values"
                            + " (a resumed run draws what the uninterrupted one drew)");
            assertThat(random.state())
                    .as("%s: the same call must draw the same number of values", where)
                    .isEqualTo(after);
        }
        if (!quantizer.isFullPrecision()) {
            assertOnGrid(
                    values,
                    PackedForm.candidates(PackedForm.of(quantizer, weights, null)),
                    where
                            + ": while training, every value must still lie on the alphabet at scale s (and zero point z)");
        }
    }

    /**
     * The estimator exists; normalized(W, s) is finite and has W's shape; the estimator's derivative of it is
     * finite float32 that broadcasts to W's shape; decoded outermost levels normalize to -1 and +1.
     */
    static void normalizesForItsEstimator(Quantizer quantizer, NDArray weights) {
        String where = where(quantizer, weights);
        GradientEstimator estimator = quantizer.estimator();
        assertThat(estimator)
                .as(
                        "%s: estimator() must not be null (return GradientEstimator.STE for the plain"
                                + " straight-through gradient)",
                        where)
                .isNotNull();
        NDArray scale = quantizer.scale(weights);
        NDArray normalized = quantizer.normalized(weights, scale);
        assertFloat32OfShape(normalized, weights.getShape(), where + ": normalized(W, s)");
        assertFinite(normalized.toFloatArray(), where + ": normalized(W, s)");
        NDArray derivative = estimator.derivative(normalized);
        assertThat(derivative.getDataType())
                .as("%s: estimator '%s' derivative's type", where, estimator.id())
                .isEqualTo(DataType.FLOAT32);
        assertThat(broadcastsInto(derivative.getShape(), weights.getShape()))
                .as(
                        "%s: estimator '%s' returned shape %s," + " which must broadcast to the weights' shape",
                        where, estimator.id(), derivative.getShape())
                .isTrue();
        assertFinite(
                derivative.toFloatArray(),
                where + ": estimator '" + estimator.id() + "' derivative of normalized(W, s)");

        // Weights sitting exactly on each level: the outermost ones must be at u = -1 and u = +1.
        int levels = quantizer.levels();
        float[] cycling = new float[Math.toIntExact(weights.size())];
        for (int i = 0; i < cycling.length; i++) {
            cycling[i] = i % levels;
        }
        NDManager manager = weights.getManager();
        NDArray onLevels = quantizer.decode(manager.create(cycling, weights.getShape()), scale);
        float[] u = quantizer.normalized(onLevels, scale).toFloatArray();
        // W / s + z is exact only to float32's round-off of z: a single-weight channel under minmax has a huge z.
        double largestZeroPoint = 0;
        if (quantizer.affine()) {
            for (float z : scale.get(1).toFloatArray()) {
                largestZeroPoint = Math.max(largestZeroPoint, Math.abs(z));
            }
        }
        double tolerance = 1e-4 * Math.max(1, largestZeroPoint);
        for (int i = 0; i < u.length; i++) {
            int code = i % levels;
            if (code == 0 || code == levels - 1) {
                double expected = code == 0 ? -1 : 1;
                assertThat((double) u[i])
                        .as(
                                "%s: weight %d, decoded from code %d (the %s level), must normalize to %s:"
                                        + " normalized(W, s) puts the outermost levels at -1 and +1 (override it when the scale does"
                                        + " not broadcast or there is a zero point)",
                                where, i, code, code == 0 ? "smallest" : "largest", expected)
                        .isCloseTo(expected, org.assertj.core.data.Offset.offset(tolerance));
            }
        }
    }

    /**
     * A layer of the weights' shape built with the quantizer, packed by ModelPacking into a real .lbw file
     * and read back: the stored tensor's dequantize() is the layer's evaluation weights bit for bit.
     */
    static void packsWhatTheLayerEvaluates(Quantizer quantizer, long[] shape, NDManager manager) {
        String where = quantizer.spec() + " on " + new Shape(shape);
        AbstractBlock layer = PackedForm.layer(quantizer, shape, manager);
        float[] forward = PackedForm.evaluationWeights(layer, manager).toFloatArray();
        QuantizedTensor stored = PackedForm.throughFile(layer);
        assertSameBits(
                stored.dequantize(),
                forward,
                where + ": the packed file must decode to exactly the weights the"
                        + " layer's forward pass uses in evaluation ((float(alphabet[c]) - z) * s per element, in float32;"
                        + " for trained values packedAlphabet, packedScale and codes(W, trained)); this is what lowbit eval"
                        + " reproduces the test accuracy with");
    }

    /**
     * For a weight that is not a layer's (a vector): the packed form built as ModelPacking builds it decodes
     * to the evaluation value bit for bit.
     */
    static void packsWhatItEvaluates(Quantizer quantizer, NDArray weights) {
        String where = where(quantizer, weights);
        NDList trained = null;
        NDArray evaluated;
        if (quantizer instanceof LearnedQuantizer learned
                && !learned.trainedValues(weights.getShape()).isEmpty()) {
            trained = learned.initialValues(weights);
            evaluated =
                    learned.quantizeTrained(weights, trained, quantizer.estimator(), QuantizationContext.EVALUATION);
        } else {
            evaluated = quantizer.quantize(weights, quantizer.scale(weights), QuantizationContext.EVALUATION);
        }
        assertSameBits(
                PackedForm.of(quantizer, weights, trained).dequantize(),
                evaluated.toFloatArray(),
                where
                        + ": the packed form (codes, scales, zero points, group size) must decode to exactly the evaluation"
                        + " value");
    }
}
