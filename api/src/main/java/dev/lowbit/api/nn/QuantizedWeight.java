package dev.lowbit.api.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import dev.lowbit.api.internal.StraightThrough;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.api.spi.LearnedQuantizer;
import dev.lowbit.api.spi.QuantizationContext;
import dev.lowbit.api.spi.Quantizer;
import dev.lowbit.api.spi.TrainedValue;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The quantized weight of a layer, with what its {@link LayerScheme} trains: the fp32 shadow weight,
 * the trained values of a {@link LearnedQuantizer} (LSQ's {@code scale}, TTQ's magnitudes), and the
 * layer's input quantizer with its trained values. Layers (linear, conv) own one and register
 * {@link #parameters()}, then their bias.
 *
 * <p>A weight's trained values are registered when the scheme is set (at construction or by
 * {@link #configure}), before the model initialises, so a checkpoint finds them by name; the weight's
 * shape is not known yet, so their names come from {@link LearnedQuantizer#trainedValues} of a
 * placeholder shape (all ones, of the weight's rank), and {@link #setShape} asks again with the real
 * shape, which must give the same names. Each starts at {@link LearnedQuantizer#initialValues} of the
 * initial weights (the weight initialises first, being registered first).
 *
 * <p>Random draws come from the {@link QuantizerRandom} given to {@link #configure}; a weight never
 * configured (a block used on its own) draws from a {@code QuantizerRandom(0)} of its own.
 *
 * <p>A block of an architecture's own ({@link QuantizedBlock}) holds one and calls {@link #quantizeInput},
 * {@link #forward} and {@link #setShape}; lowbit's packing and memory accounting call the rest. It belongs to
 * its block: used from one thread at a time, like the block. Failures of the plugin code it runs come out as a
 * {@link QuantizerException} naming the quantizer, the tensor and the call.
 */
public final class QuantizedWeight {

    private final Parameter weight;
    /** The weight's number of axes, for the placeholder shape its trained values are named with. */
    private final int rank;

    private LayerScheme scheme;
    private QuantizerRandom random;
    /** What computes the forward pass on trained values; null for a plain quantizer (or fp32). */
    private LearnedQuantizer learned;

    private List<TrainedValue> declared = List.of();
    private List<Parameter> trained = List.of();
    /** The layer's input quantizer; null when inputs stay fp32. */
    private InputQuantization input;
    /** How messages name this tensor; the model's parameter path once {@link #nameAs} is called. */
    private String name = "weight";

    /**
     * A weight matrix quantized by {@code quantizer} as {@link LayerScheme#of} says; the block registers {@link #parameters()}.
     *
     * @param quantizer the weight's quantizer until the block is configured
     * @throws NullPointerException when {@code quantizer} is null
     */
    public QuantizedWeight(Quantizer quantizer) {
        this(quantizer, 2);
    }

    /** @param rank the weight's number of axes (2 for a linear layer, 4 for a 2-D convolution) */
    QuantizedWeight(Quantizer quantizer, int rank) {
        this.weight = Parameter.builder()
                .setName("weight")
                .setType(Parameter.Type.WEIGHT)
                .build();
        this.rank = rank;
        install(LayerScheme.of(Objects.requireNonNull(quantizer, "quantizer")));
    }

    /**
     * Trains this weight (and the layer's input) with {@code scheme}, drawing from {@code random}; call it
     * through {@link QuantizedBlock#configure}, which registers the new {@link #parameters()}. The shadow
     * weight stays the same parameter; trained values are made anew. A scheme equal to the current one
     * changes nothing but the generator. With a full-precision weight quantizer the weights stay fp32 and
     * the inputs are still quantized when the scheme says so (eval's rebuilt models).
     *
     * @param scheme what the weight and the layer's input train with
     * @param random the run's generator, which a stochastic quantizer draws from while training
     * @throws NullPointerException when either is null
     * @throws QuantizerException when the quantizer's {@code trainedValues} fails
     * @throws IllegalArgumentException when the weight's and the input quantizer's trained values share a name
     */
    public void configure(LayerScheme scheme, QuantizerRandom random) {
        Objects.requireNonNull(scheme, "scheme");
        this.random = Objects.requireNonNull(random, "random");
        if (!scheme.equals(this.scheme)) {
            install(scheme);
        }
    }

    private void install(LayerScheme scheme) {
        this.scheme = scheme;
        Shape placeholder = weight.getShape() != null ? weight.getShape() : new Shape(ones(rank));
        Quantizer quantizer = scheme.weights();
        this.learned = null;
        this.declared = List.of();
        if (quantizer instanceof LearnedQuantizer l && !quantizer.isFullPrecision()) {
            this.declared = declaredBy(l, placeholder);
            this.learned = declared.isEmpty() ? null : l;
        }
        if (learned == null && !quantizer.isFullPrecision()) {
            this.learned = legacyLearnedScale(quantizer);
            this.declared = learned == null ? List.of() : declaredBy(learned, placeholder);
        }
        List<Parameter> values = new ArrayList<>();
        for (int i = 0; i < declared.size(); i++) {
            int index = i;
            values.add(Parameter.builder()
                    .setName(declared.get(i).name())
                    .setType(Parameter.Type.OTHER)
                    .optInitializer((manager, shape, dataType) -> initialValue(index, manager, shape, dataType))
                    .build());
        }
        this.trained = List.copyOf(values);
        this.input = scheme.activations() == null
                ? null
                : new InputQuantization(scheme.activations(), scheme.inputEstimator(), this::layerName);
        requireDistinctNames();
    }

    /**
     * The LSQ scale of a quantizer that learns it through {@link Quantizer#learnsScale()}, as a trained
     * value named {@code scale}; null for any other. Only a plugin written before {@link LearnedQuantizer}
     * existed takes this path (the built-in alphabet quantizers declare their scale themselves).
     */
    private static LearnedQuantizer legacyLearnedScale(Quantizer quantizer) {
        return quantizer.learnsScale() ? new LegacyLearnedScale(quantizer) : null;
    }

    private List<TrainedValue> declaredBy(LearnedQuantizer l, Shape shape) {
        return guarded("trainedValues()", shape, () -> List.copyOf(l.trainedValues(shape)));
    }

    private void requireDistinctNames() {
        Set<String> names = new HashSet<>();
        for (Parameter parameter : parameters()) {
            if (!names.add(parameter.getName())) {
                throw new IllegalArgumentException("Two parameters of tensor '" + name + "' are named '"
                        + parameter.getName() + "' (quantizer '" + QuantizerException.specOf(scheme.weights())
                        + "'): a quantizer's trained values and the input quantizer's (named 'input_' + name)"
                        + " must have distinct names.");
            }
        }
    }

    /**
     * The parameters to register, in order: the weight, its trained values, the input quantizer's.
     *
     * @return a new array of the parameters, in that order
     */
    public Parameter[] parameters() {
        List<Parameter> all = new ArrayList<>();
        all.add(weight);
        all.addAll(trained);
        all.addAll(inputValues());
        return all.toArray(new Parameter[0]);
    }

    /**
     * The fp32 shadow weight.
     *
     * @return the weight parameter, named {@code weight}
     */
    public Parameter weight() {
        return weight;
    }

    /**
     * This weight's trained values (LSQ's {@code scale}, TTQ's magnitudes), in the quantizer's order.
     *
     * @return the trained-value parameters; empty for a quantizer without any
     */
    public List<Parameter> trainedValues() {
        return trained;
    }

    /**
     * The input quantizer's trained values, named {@code input_<name>}.
     *
     * @return the parameters; empty when it has none or there is none
     */
    public List<Parameter> inputValues() {
        return input == null ? List.of() : input.parameters();
    }

    /**
     * The trained scale, for a learned-scale quantizer: the trained value named {@code scale}.
     *
     * @return the parameter, or empty when the quantizer trains no scale
     */
    public Optional<Parameter> learnedScale() {
        return trained.stream()
                .filter(p -> p.getName().equals(LegacyLearnedScale.NAME))
                .findFirst();
    }

    /**
     * The weight quantizer.
     *
     * @return the current scheme's weight quantizer
     */
    public Quantizer quantizer() {
        return scheme.weights();
    }

    /**
     * What this weight and its layer's input train with.
     *
     * @return the current scheme
     */
    public LayerScheme scheme() {
        return scheme;
    }

    /**
     * Names this tensor in messages, e.g. {@code 02QuantizedConv2d_weight} (its path in
     * {@link Block#getParameters()}): a failing quantizer is reported with the tensor it failed on.
     *
     * @param parameterPath the weight's path in its model
     */
    public void nameAs(String parameterPath) {
        this.name = parameterPath;
    }

    /**
     * Names the weight of every {@link QuantizedBlock} of {@code model} by its path in
     * {@link Block#getParameters()}, full-precision ones included: a layer map selects layers by these names.
     *
     * @param model the model, built
     */
    public static void nameAll(Block model) {
        java.util.IdentityHashMap<Parameter, QuantizedWeight> byParameter = new java.util.IdentityHashMap<>();
        for (QuantizedBlock block : QuantizedBlocks.in(model)) {
            byParameter.put(block.quantizedWeight().weight(), block.quantizedWeight());
        }
        for (Pair<String, Parameter> entry : model.getParameters()) {
            QuantizedWeight weight = byParameter.get(entry.getValue());
            if (weight != null) {
                weight.nameAs(entry.getKey());
            }
        }
    }

    /**
     * The weight's parameter path, e.g. {@code 01QuantizedLinear_weight}, once {@link #nameAll} ran.
     *
     * @return the path; {@code weight} before it is named
     */
    public String name() {
        return name;
    }

    /**
     * The layer's name: the weight's parameter path without {@code _weight} (e.g. {@code 01QuantizedLinear})
     * once {@link #nameAll} ran; layer maps select by it and messages use it.
     *
     * @return the layer's name
     */
    public String layerName() {
        return name.endsWith("_weight") ? name.substring(0, name.length() - "_weight".length()) : name;
    }

    /**
     * The codes of these weights at {@code scale}: {@link Quantizer#codes}, failures named as for {@link #forward}.
     *
     * @param detachedWeights this layer's weights off the gradient tape
     * @param scale their scale
     * @return the codes, the shape of the weights
     * @throws QuantizerException when the quantizer's code fails
     */
    public NDArray codes(NDArray detachedWeights, NDArray scale) {
        return guarded("codes()", detachedWeights.getShape(), () -> quantizer().codes(detachedWeights, scale));
    }

    /**
     * The codes the packed file stores for these weights: {@link LearnedQuantizer#codes} under the
     * current trained values, or the quantizer's codes at {@link #scaleOf} them.
     *
     * @param detachedWeights this layer's weights off the gradient tape, owned by the caller's scope
     * @return the codes, the shape of the weights
     * @throws QuantizerException when the quantizer's code fails
     */
    public NDArray codesOf(NDArray detachedWeights) {
        if (learned == null) {
            return codes(detachedWeights, scaleOf(detachedWeights));
        }
        NDList values = detachedTrainedValues(detachedWeights.getManager());
        return guarded("codes()", detachedWeights.getShape(), () -> learned.codes(detachedWeights, values));
    }

    /**
     * Sets the shapes: the weight's, and its trained values' as the quantizer declares them for it. A block
     * calls it from {@code prepare}, when the input shape is known.
     *
     * @param weightShape the weight's shape, output channels on axis 0
     * @throws QuantizerException when the quantizer fails, or names other trained values for the real shape
     */
    public void setShape(Shape weightShape) {
        weight.setShape(weightShape);
        if (learned == null) {
            return;
        }
        List<TrainedValue> actual = declaredBy(learned, weightShape);
        List<String> names = actual.stream().map(TrainedValue::name).toList();
        List<String> registered = declared.stream().map(TrainedValue::name).toList();
        if (!names.equals(registered)) {
            throw new QuantizerException(
                    scheme.weights(),
                    name,
                    weightShape,
                    "trainedValues()",
                    new IllegalStateException("it names " + names + " for this shape but " + registered
                            + " for the placeholder shape " + new Shape(ones(rank)) + " the layer registered them"
                            + " with; the names of trained values may not depend on the weight's shape"));
        }
        for (int i = 0; i < actual.size(); i++) {
            trained.get(i).setShape(actual.get(i).shape());
        }
        declared = actual;
    }

    /** Trained value {@code index} at {@link LearnedQuantizer#initialValues} of the (initialised) weight. */
    private NDArray initialValue(int index, NDManager manager, Shape shape, DataType dataType) {
        try (NDManager scope = manager.newSubManager()) {
            NDArray detached = StraightThrough.detach(weight.getArray(), scope);
            NDList values = guarded("initialValues()", detached.getShape(), () -> learned.initialValues(detached));
            if (values.size() != declared.size()
                    || !values.get(index).getShape().equals(shape)) {
                throw new QuantizerException(
                        scheme.weights(),
                        name,
                        detached.getShape(),
                        "initialValues()",
                        new IllegalStateException("it returned " + values.size() + " arrays of shapes "
                                + Arrays.toString(values.getShapes()) + " for the trained values " + declared));
            }
            // A copy with memory of its own: what the quantizer returns may be a view (a reshape) of an array
            // made from Java data (manager.create), whose memory goes when that array is closed, as the scope
            // closes it here; a parameter left viewing it would read freed memory once the JVM collects it.
            NDArray value = values.get(index).toType(dataType, false).duplicate();
            value.attach(manager);
            return value;
        }
    }

    /** The trained values off the tape, owned by {@code scope}, in order. */
    private NDList detachedTrainedValues(NDManager scope) {
        NDList values = new NDList(trained.size());
        for (Parameter parameter : trained) {
            values.add(StraightThrough.detach(parameter.getArray(), scope));
        }
        return values;
    }

    /**
     * Q(W) for the forward pass, on the gradient tape (of W and of the trained values), owned by
     * {@code scope}; see docs/SCHEMES.md, "Training". While training a stochastic quantizer draws from the
     * configured {@link QuantizerRandom}; otherwise it gets {@link QuantizationContext#EVALUATION}.
     *
     * @param parameterStore the block's parameter store, as DJL hands it to {@code forwardInternal}
     * @param scope the batch's manager, e.g. the input's: everything computed here is attached to it
     * @param training whether this forward pass trains
     * @return Q(W), the weight's shape
     * @throws QuantizerException when the quantizer's (or the estimator's) code fails, naming it and this tensor
     */
    public NDArray forward(ParameterStore parameterStore, NDManager scope, boolean training) {
        NDArray shadow = parameterStore.getValue(weight, scope.getDevice(), training);
        Quantizer quantizer = scheme.weights();
        if (quantizer.isFullPrecision()) {
            return shadow;
        }
        QuantizationContext context = context(training);
        Shape shape = shadow.getShape();
        if (learned != null) {
            // Aliases owned by the batch, so that the scheme's own ops do not land in the model's manager.
            NDArray live = StraightThrough.alias(shadow, scope);
            NDList values = new NDList(trained.size());
            for (Parameter parameter : trained) {
                values.add(
                        StraightThrough.alias(parameterStore.getValue(parameter, scope.getDevice(), training), scope));
            }
            return guarded(
                    "quantizeTrained()",
                    shape,
                    () -> sameShape(learned.quantizeTrained(live, values, scheme.estimator(), context), shape));
        }
        NDArray detached = StraightThrough.detach(shadow, scope);
        NDArray scale = guarded("scale()", shape, () -> quantizer.scale(detached));
        NDArray quantized = guarded("quantize()", shape, () -> quantizer.quantize(detached, scale, context));
        GradientEstimator estimator = scheme.estimator();
        NDArray derivative = null;
        if (!estimator.isIdentity()) {
            NDArray normalized = guarded("normalized()", shape, () -> quantizer.normalized(detached, scale));
            derivative = QuantizerException.guard(
                    () -> "estimator '" + QuantizerException.safely(estimator::id, estimator) + "' of quantizer '"
                            + QuantizerException.specOf(quantizer) + "'",
                    () -> "tensor '" + name + "'",
                    shape,
                    "derivative()",
                    () -> StraightThrough.derivative(estimator, normalized, shape));
        }
        return StraightThrough.withGradient(shadow, detached, quantized, derivative, scope);
    }

    /**
     * The layer's input through the scheme's activation quantizer, on the tape of the input and of the
     * quantizer's trained values; the input itself when the layer has none.
     *
     * @param parameterStore the block's parameter store, as DJL hands it to {@code forwardInternal}
     * @param input the layer's input
     * @param training whether this forward pass trains
     * @return Qa(x), or {@code input} itself when the layer quantizes no input
     * @throws QuantizerException when the activation quantizer's code fails, naming it and this layer
     */
    public NDArray quantizeInput(ParameterStore parameterStore, NDArray input, boolean training) {
        return this.input == null ? input : this.input.forward(parameterStore, input, training, context(training));
    }

    /**
     * The scale the forward pass uses for these weights: {@link LearnedQuantizer#packedScale} of the
     * trained values, or the quantizer's rule applied to the weights.
     *
     * @param detachedWeights this layer's weights off the gradient tape, owned by the caller's scope
     *     (anything computed from the parameter itself would land in the parameter's long-lived manager)
     * @return the scales, in the form {@link Quantizer#scale} has
     * @throws QuantizerException when the quantizer's code fails
     */
    public NDArray scaleOf(NDArray detachedWeights) {
        if (learned == null) {
            return guarded(
                    "scale()", detachedWeights.getShape(), () -> quantizer().scale(detachedWeights));
        }
        NDList values = detachedTrainedValues(detachedWeights.getManager());
        return guarded("packedScale()", detachedWeights.getShape(), () -> learned.packedScale(detachedWeights, values));
    }

    private QuantizationContext context(boolean training) {
        if (!training) {
            return QuantizationContext.EVALUATION;
        }
        if (random == null) {
            random = new QuantizerRandom(0);
        }
        return random.context(true);
    }

    /** {@code result}, checked to have the input's shape (a scheme's broadcasting slip would otherwise pass). */
    static NDArray sameShape(NDArray result, Shape expected) {
        if (!result.getShape().equals(expected)) {
            throw new IllegalStateException("it returned shape " + result.getShape() + " for input shape " + expected);
        }
        return result;
    }

    private static long[] ones(int rank) {
        long[] shape = new long[rank];
        Arrays.fill(shape, 1);
        return shape;
    }

    /** Runs a call into the quantizer (often a plugin's code), failures named with the quantizer and this tensor. */
    private <T> T guarded(String call, Shape shape, Supplier<T> body) {
        return QuantizerException.guard(
                () -> "quantizer '" + QuantizerException.specOf(scheme.weights()) + "'",
                () -> "tensor '" + name + "'",
                shape,
                call,
                body);
    }
}
