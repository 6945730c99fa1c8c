package dev.lowbit.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.assertj.core.data.Offset.offset;

import dev.lowbit.format.lbw.Fp32Tensor;
import dev.lowbit.format.lbw.PackedModel;
import dev.lowbit.format.lbw.PackedTensor;
import dev.lowbit.format.lbw.QuantizedTensor;
import dev.lowbit.inference.NetworkSpec.Family;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The packed engine's dense layers against a plain reference, on small fully connected networks built by hand
 * from the format's records: the reference decodes every weight with {@link QuantizedTensor#dequantize()} (the
 * values DJL runs after {@code lowbit eval} decodes a file) and computes {@code relu(W x + b)} in double. Each
 * scale layout the format has (one per tensor, one per output channel, groups with zero points), each alphabet
 * size the study uses (k = 2, 3, 5, 17) and one of a plugin's, and fp32 layers among quantized ones.
 *
 * <p>The network is laid out as fcnn's DJL graph names it: flatten ({@code 01}), then linear layers
 * {@code 02QuantizedLinear}, {@code 04QuantizedLinear}, ... with ReLU between them. Sizes are odd on purpose
 * (99 inputs, 70 and 33 hidden units, 7 classes), so no row is a whole number of vectors or of packed bytes.
 */
class PackedFcnnTest {

    private static final long[] INPUT = {1, 9, 11};
    private static final int[] WIDTHS = {99, 70, 33, 7};
    private static final int CLASSES = 7;
    private static final NetworkSpec SPEC = new NetworkSpec(Family.FCNN, INPUT, CLASSES, 0);
    private static final int BATCH = 5;
    /** Does not divide 99 or 70: each row's last group is shorter. */
    private static final int GROUP = 16;

    private static final double[] BINARY = {-1, 1};
    private static final double[] TERNARY = {-1, 0, 1};
    private static final double[] QUINARY = {-2, -1, 0, 1, 2};
    private static final double[] K17 = range(-8, 8);
    /** A plugin's alphabet: uneven, without 0, not symmetric. */
    private static final double[] PLUGIN = {-1.5, -0.25, 0.5, 2};

    private static final List<double[]> ALPHABETS = List.of(BINARY, TERNARY, QUINARY, K17, PLUGIN);

    /**
     * The allowed difference from the reference, relative to the logits' scale: the engine sums float32 products
     * (or adds activations and scales once) where the reference sums doubles; over at most 99 terms per output
     * and three layers that is a few float32 ulps of the largest partial sums, far below 1e-5 of them, while a
     * wrong code, scale, zero point or group shows at 1e-2 or more.
     */
    private static final double RELATIVE_TOLERANCE = 1e-5;

    /** How a layer's weights are stored. */
    private enum Layout {
        PER_TENSOR,
        PER_CHANNEL,
        GROUPS_WITH_ZERO_POINTS,
        FP32
    }

    private final Random random = new Random(18);
    private final float[] images = images(BATCH);

    @Test
    void everyAlphabetWithOneScalePerTensor() {
        for (double[] alphabet : ALPHABETS) {
            assertMatchesReference(network(alphabet, Layout.PER_TENSOR), alphabet.length + " levels per tensor");
        }
    }

    @Test
    void everyAlphabetWithOneScalePerOutputChannel() {
        for (double[] alphabet : ALPHABETS) {
            assertMatchesReference(network(alphabet, Layout.PER_CHANNEL), alphabet.length + " levels per channel");
        }
    }

    @Test
    void everyAlphabetInGroupsWithZeroPoints() {
        for (double[] alphabet : ALPHABETS) {
            assertMatchesReference(
                    network(alphabet, Layout.GROUPS_WITH_ZERO_POINTS), alphabet.length + " levels in groups");
        }
    }

    @Test
    void fp32LayersAmongQuantizedOnes() {
        // As the fp32-first-last layer policy stores a model: the first and last layers in fp32.
        assertMatchesReference(
                model(List.of(
                        layer(0, Layout.FP32, null),
                        layer(1, Layout.PER_CHANNEL, TERNARY),
                        layer(2, Layout.FP32, null))),
                "fp32 first and last");
        assertMatchesReference(
                model(List.of(
                        layer(0, Layout.PER_TENSOR, K17),
                        layer(1, Layout.FP32, null),
                        layer(2, Layout.GROUPS_WITH_ZERO_POINTS, BINARY))),
                "fp32 in the middle, different alphabets");
        assertMatchesReference(network(null, Layout.FP32), "every layer fp32");
    }

    @Test
    void oneImageAtATimeGivesTheRowsOfTheBatch() {
        PackedNetwork network = PackedNetwork.load(network(QUINARY, Layout.PER_CHANNEL), SPEC);
        float[] batch = network.logits(images, BATCH);
        int imageValues = SPEC.imageValues();
        for (int i = 0; i < BATCH; i++) {
            float[] one = new float[imageValues];
            System.arraycopy(images, i * imageValues, one, 0, imageValues);
            float[] alone = network.logits(one, 1);
            assertThat(alone).hasSize(CLASSES);
            for (int c = 0; c < CLASSES; c++) {
                assertThat((double) alone[c])
                        .as("image %d class %d", i, c)
                        .isCloseTo(batch[i * CLASSES + c], offset(tolerance(batch)));
            }
        }
        assertThat(network.spec()).isEqualTo(SPEC);
    }

    @Test
    void aTernaryNetworkHoldsFarFewerBytesThanItsFp32Twin() {
        long ternary =
                PackedNetwork.load(network(TERNARY, Layout.PER_TENSOR), SPEC).weightBytes();
        long fp32 = PackedNetwork.load(network(null, Layout.FP32), SPEC).weightBytes();
        long parameters = 0;
        for (int i = 0; i + 1 < WIDTHS.length; i++) {
            parameters += (long) WIDTHS[i] * WIDTHS[i + 1] + WIDTHS[i + 1];
        }
        assertThat(fp32).isGreaterThanOrEqualTo(4 * parameters);
        // log2(3) bits against 32 per weight; a quarter leaves room for any compute-friendly layout of the codes.
        assertThat(ternary).isPositive().isLessThan(fp32 / 4);
    }

    @Test
    void aMissingTensorIsNamedOrTheOneInItsPlace() {
        // The engine may read tensors by name or in their stored order; either way the message names the tensor
        // that is missing, or the one it found in its place, which tells the reader where the file went wrong.
        List<String> names = List.of(
                "02QuantizedLinear_weight",
                "02QuantizedLinear_bias",
                "04QuantizedLinear_weight",
                "04QuantizedLinear_bias",
                "06QuantizedLinear_weight",
                "06QuantizedLinear_bias");
        SoftAssertions softly = new SoftAssertions();
        for (int i = 0; i < names.size(); i++) {
            String missing = names.get(i);
            String inItsPlace = i + 1 < names.size() ? names.get(i + 1) : missing;
            PackedModel model = edited(
                    network(TERNARY, Layout.PER_TENSOR), tensor -> missing.equals(tensor.name()) ? null : tensor);
            softly.assertThat(refusal(model))
                    .as("without %s", missing)
                    .doesNotContain("\n")
                    .containsAnyOf(missing, inItsPlace);
        }
        softly.assertAll();
    }

    @Test
    void aTensorOfTheWrongShapeIsNamed() {
        SoftAssertions softly = new SoftAssertions();
        // The second layer's inputs one short of the first layer's outputs.
        assertRefusedNaming(
                softly,
                replaced(
                        network(TERNARY, Layout.PER_TENSOR),
                        quantized("04QuantizedLinear_weight", 33, 69, TERNARY, Layout.PER_TENSOR)),
                "04QuantizedLinear_weight");
        // A bias one longer than its layer's outputs.
        assertRefusedNaming(
                softly,
                replaced(network(TERNARY, Layout.PER_TENSOR), fp32("02QuantizedLinear_bias", new long[] {71})),
                "02QuantizedLinear_bias");
        // The first layer does not take the spec's 99 input values.
        assertRefusedNaming(
                softly,
                replaced(
                        network(TERNARY, Layout.PER_TENSOR),
                        quantized("02QuantizedLinear_weight", 70, 98, TERNARY, Layout.PER_TENSOR)),
                "02QuantizedLinear_weight");
        // The classifier scores 8 classes where the spec has 7 (its bias too, so only the class count is wrong).
        PackedModel eightClasses = replaced(
                replaced(
                        network(TERNARY, Layout.PER_TENSOR),
                        quantized("06QuantizedLinear_weight", 8, 33, TERNARY, Layout.PER_TENSOR)),
                fp32("06QuantizedLinear_bias", new long[] {8}));
        assertRefusedNaming(softly, eightClasses, "06QuantizedLinear_weight");
        softly.assertAll();
    }

    private static void assertRefusedNaming(SoftAssertions softly, PackedModel model, String tensor) {
        softly.assertThat(refusal(model)).doesNotContain("\n").contains(tensor);
    }

    /** The message of the IllegalArgumentException that loading {@code model} throws. */
    private static String refusal(PackedModel model) {
        return catchThrowableOfType(() -> PackedNetwork.load(model, SPEC), IllegalArgumentException.class)
                .getMessage();
    }

    private void assertMatchesReference(PackedModel model, String what) {
        float[] logits = PackedNetwork.load(model, SPEC).logits(images, BATCH);
        double[] expected = reference(model, images, BATCH);
        assertThat(logits).as(what).hasSize(BATCH * CLASSES);
        double tolerance = tolerance(logits);
        for (int i = 0; i < expected.length; i++) {
            assertThat((double) logits[i])
                    .as("%s: image %d class %d", what, i / CLASSES, i % CLASSES)
                    .isCloseTo(expected[i], offset(tolerance));
        }
    }

    private static double tolerance(float[] logits) {
        double scale = 1;
        for (float logit : logits) {
            scale = Math.max(scale, Math.abs(logit));
        }
        return RELATIVE_TOLERANCE * scale;
    }

    /** relu(W x + b) layer by layer, no relu after the last, in double from the decoded weights. */
    private static double[] reference(PackedModel model, float[] images, int batch) {
        double[] out = new double[batch * CLASSES];
        int layers = WIDTHS.length - 1;
        for (int image = 0; image < batch; image++) {
            double[] x = new double[WIDTHS[0]];
            for (int i = 0; i < x.length; i++) {
                x[i] = images[image * WIDTHS[0] + i];
            }
            for (int l = 0; l < layers; l++) {
                float[] w = values(model.tensor(weightName(l)));
                float[] b = values(model.tensor(biasName(l)));
                int in = WIDTHS[l];
                double[] y = new double[WIDTHS[l + 1]];
                for (int o = 0; o < y.length; o++) {
                    double sum = b[o];
                    for (int i = 0; i < in; i++) {
                        sum += (double) w[o * in + i] * x[i];
                    }
                    y[o] = l + 1 < layers ? Math.max(0, sum) : sum;
                }
                x = y;
            }
            System.arraycopy(x, 0, out, image * CLASSES, CLASSES);
        }
        return out;
    }

    private static float[] values(PackedTensor tensor) {
        return tensor instanceof QuantizedTensor quantized ? quantized.dequantize() : ((Fp32Tensor) tensor).values();
    }

    /** Every layer on {@code alphabet} in {@code layout} (null alphabet for fp32). */
    private PackedModel network(double[] alphabet, Layout layout) {
        List<PackedTensor[]> layers = new ArrayList<>();
        for (int l = 0; l + 1 < WIDTHS.length; l++) {
            layers.add(layer(l, layout, alphabet));
        }
        return model(layers);
    }

    private static PackedModel model(List<PackedTensor[]> layers) {
        List<PackedTensor> tensors = new ArrayList<>();
        layers.forEach(layer -> tensors.addAll(List.of(layer)));
        return new PackedModel(Map.of(), tensors);
    }

    /** Layer {@code l}'s weight and bias. */
    private PackedTensor[] layer(int l, Layout layout, double[] alphabet) {
        int out = WIDTHS[l + 1];
        int in = WIDTHS[l];
        PackedTensor weight = layout == Layout.FP32
                ? fp32(weightName(l), new long[] {out, in})
                : quantized(weightName(l), out, in, alphabet, layout);
        return new PackedTensor[] {weight, fp32(biasName(l), new long[] {out})};
    }

    /** As DJL names fcnn's parameters: flatten is block 01, linear layers 02, 04, 06 with ReLU between. */
    private static String weightName(int layer) {
        return String.format("%02dQuantizedLinear_weight", 2 * layer + 2);
    }

    private static String biasName(int layer) {
        return String.format("%02dQuantizedLinear_bias", 2 * layer + 2);
    }

    private QuantizedTensor quantized(String name, int out, int in, double[] alphabet, Layout layout) {
        int[] codes = new int[out * in];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = random.nextInt(alphabet.length);
        }
        long[] shape = {out, in};
        // Scales near what training gives a layer of this width: activations keep their magnitude.
        float typical = (float) (1 / Math.sqrt(in) / maxAbs(alphabet));
        return switch (layout) {
            case PER_TENSOR -> new QuantizedTensor(name, shape, alphabet, codes, new long[] {1}, scales(1, typical));
            case PER_CHANNEL ->
                new QuantizedTensor(name, shape, alphabet, codes, new long[] {out, 1}, scales(out, typical));
            case GROUPS_WITH_ZERO_POINTS -> {
                int groups = (in + GROUP - 1) / GROUP;
                float[] zeroPoints = new float[out * groups];
                for (int i = 0; i < zeroPoints.length; i++) {
                    zeroPoints[i] = (float) (random.nextDouble() - 0.5) * (float) maxAbs(alphabet);
                }
                yield new QuantizedTensor(
                        name,
                        shape,
                        alphabet,
                        codes,
                        new long[] {out, groups},
                        scales(out * groups, typical),
                        GROUP,
                        zeroPoints,
                        List.of());
            }
            case FP32 -> throw new IllegalArgumentException("not quantized");
        };
    }

    private Fp32Tensor fp32(String name, long[] shape) {
        int count = 1;
        for (long dim : shape) {
            count *= (int) dim;
        }
        float[] values = new float[count];
        float typical = shape.length > 1 ? (float) (1 / Math.sqrt((double) shape[1])) : 0.1f;
        for (int i = 0; i < count; i++) {
            values[i] = (float) random.nextGaussian() * typical;
        }
        return new Fp32Tensor(name, shape, values);
    }

    /** Positive scales spread over a factor of four around {@code typical}. */
    private float[] scales(int count, float typical) {
        float[] scales = new float[count];
        for (int i = 0; i < count; i++) {
            scales[i] = typical * (0.5f + 1.5f * random.nextFloat());
        }
        return scales;
    }

    /** Normalised images: roughly zero mean and unit spread, as training feeds them. */
    private float[] images(int batch) {
        float[] values = new float[batch * SPEC.imageValues()];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }

    /** {@code model} with the tensor of {@code replacement}'s name replaced by it, in its place. */
    private static PackedModel replaced(PackedModel model, PackedTensor replacement) {
        return edited(model, tensor -> tensor.name().equals(replacement.name()) ? replacement : tensor);
    }

    /** {@code model} with each tensor mapped by {@code edit}; null drops it. */
    private static PackedModel edited(PackedModel model, UnaryOperator<PackedTensor> edit) {
        List<PackedTensor> tensors = new ArrayList<>();
        for (PackedTensor tensor : model.tensors()) {
            PackedTensor kept = edit.apply(tensor);
            if (kept != null) {
                tensors.add(kept);
            }
        }
        return new PackedModel(model.metadata(), tensors);
    }

    private static double maxAbs(double[] values) {
        double max = 0;
        for (double value : values) {
            max = Math.max(max, Math.abs(value));
        }
        return max;
    }

    private static double[] range(int from, int to) {
        double[] values = new double[to - from + 1];
        for (int i = 0; i < values.length; i++) {
            values[i] = from + i;
        }
        return values;
    }
}
