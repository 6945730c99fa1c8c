package dev.lowbit.harness.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.ParameterTracker;
import ai.djl.util.Pair;
import ai.djl.util.PairList;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Adam or SGD with momentum, computing exactly what DJL's {@code Adam} and {@code Sgd} compute (the
 * same fused engine update), but with state that can be saved and restored: the step count of
 * every parameter (which drives bias correction and the learning-rate schedule) and its moments.
 * DJL keeps that state private, so a resumed run would restart Adam from zero and drift away from
 * the uninterrupted one.
 */
final class ResumableOptimizer extends Optimizer {

    /** Which update rule. */
    enum Kind {
        ADAM,
        SGD
    }

    private static final float BETA1 = 0.9f;
    private static final float BETA2 = 0.999f;
    private static final float EPSILON = 1e-8f;
    private static final float MOMENTUM = 0.9f;

    private final Kind kind;
    private final ParameterTracker learningRate;
    private final Map<String, Integer> steps = new ConcurrentHashMap<>();
    /** Per parameter id: Adam's mean and variance, or SGD's momentum. */
    private final Map<String, NDArray[]> moments = new ConcurrentHashMap<>();

    private volatile float lastLearningRate = Float.NaN;

    private ResumableOptimizer(Builder builder, Kind kind, ParameterTracker learningRate) {
        super(builder);
        this.kind = kind;
        this.learningRate = learningRate;
    }

    /** An optimizer of {@code kind} following {@code learningRate}, with L2 {@code weightDecay}. */
    static ResumableOptimizer of(Kind kind, ParameterTracker learningRate, float weightDecay) {
        return new ResumableOptimizer(new Builder().optWeightDecays(weightDecay), kind, learningRate);
    }

    @Override
    public void update(String parameterId, NDArray weight, NDArray grad) {
        int step = steps.merge(parameterId, 1, Integer::sum);
        float rate = learningRate.getNewValue(parameterId, step);
        lastLearningRate = rate;
        float weightDecay = getWeightDecay();
        NDArray[] state = moments.computeIfAbsent(
                parameterId,
                id -> kind == Kind.ADAM
                        ? new NDArray[] {weight.zerosLike(), weight.zerosLike()}
                        : new NDArray[] {weight.zerosLike()});
        if (kind == Kind.ADAM) {
            double correction1 = 1.0 - Math.pow(BETA1, step);
            double correction2 = 1.0 - Math.pow(BETA2, step);
            float corrected = (float) (rate * Math.sqrt(correction2) / correction1);
            weight.getNDArrayInternal()
                    .adamUpdate(
                            new NDList(weight, grad, state[0], state[1]),
                            new NDList(weight),
                            rate,
                            corrected,
                            weightDecay,
                            rescaleGrad,
                            clipGrad,
                            BETA1,
                            BETA2,
                            EPSILON,
                            true,
                            false);
        } else {
            // The engine updates the momentum (the third input) in place; its outputs list is the
            // weight alone, whose gradient it then zeroes (PyTorch's sgdUpdate rejects a longer list).
            weight.getNDArrayInternal()
                    .sgdUpdate(
                            new NDList(weight, grad, state[0]),
                            new NDList(weight),
                            rate,
                            weightDecay,
                            rescaleGrad,
                            clipGrad,
                            MOMENTUM,
                            true);
        }
    }

    /** The learning rate of the latest update, NaN before the first. */
    float lastLearningRate() {
        return lastLearningRate;
    }

    /**
     * Writes the state of every parameter of {@code parameters} under its stable name: parameter
     * ids are random per model instance, names are not.
     */
    void save(PairList<String, Parameter> parameters, DataOutputStream out) throws IOException {
        out.writeInt(parameters.size());
        for (Pair<String, Parameter> entry : parameters) {
            String id = entry.getValue().getId();
            NDArray[] state = moments.get(id);
            out.writeUTF(entry.getKey());
            out.writeInt(steps.getOrDefault(id, 0));
            out.writeInt(state == null ? 0 : state.length);
            if (state != null) {
                for (NDArray moment : state) {
                    byte[] encoded = moment.encode();
                    out.writeInt(encoded.length);
                    out.write(encoded);
                }
            }
        }
    }

    /**
     * Restores state written by {@link #save} (and checked by {@link Checkpoint#read}) onto the
     * same-named parameters of a freshly built model.
     *
     * @throws Checkpoint.MismatchException when the state is not this optimizer's for this model
     */
    void load(PairList<String, Parameter> parameters, List<Checkpoint.OptimizerState> saved) {
        Map<String, Parameter> byName = new HashMap<>();
        parameters.forEach(entry -> byName.put(entry.getKey(), entry.getValue()));
        int expectedMoments = kind == Kind.ADAM ? 2 : 1;
        for (Checkpoint.OptimizerState entry : saved) {
            Parameter parameter = byName.get(entry.parameter());
            if (parameter == null) {
                throw new Checkpoint.MismatchException("the checkpoint holds optimizer state for '"
                        + Checkpoint.printable(entry.parameter()) + "', which the model lacks");
            }
            if (entry.step() == 0) {
                continue; // never updated (e.g. batch-norm statistics): nothing to restore
            }
            if (entry.moments().size() != expectedMoments) {
                throw new Checkpoint.MismatchException(
                        "the checkpoint holds " + entry.moments().size() + " optimizer moments for '"
                                + entry.parameter() + "', " + kind + " keeps " + expectedMoments);
            }
            Shape shape = parameter.getArray().getShape();
            NDArray[] state = new NDArray[expectedMoments];
            for (int m = 0; m < state.length; m++) {
                Checkpoint.StoredArray moment = entry.moments().get(m);
                if (!moment.shape().equals(shape)) {
                    throw new Checkpoint.MismatchException("optimizer moment " + (m + 1) + " of '" + entry.parameter()
                            + "' has shape " + moment.shape() + " in the checkpoint but the parameter has " + shape);
                }
                // Owned by the parameter's manager, like moments created during training.
                state[m] = moment.decode(parameter.getArray().getManager())
                        .toType(parameter.getArray().getDataType(), false);
            }
            steps.put(parameter.getId(), entry.step());
            moments.put(parameter.getId(), state);
        }
    }

    /** DJL's optimizers take their common settings (weight decay) from a builder. */
    static final class Builder extends OptimizerBuilder<Builder> {
        @Override
        protected Builder self() {
            return this;
        }
    }
}
