package dev.lowbit.harness.plan;

import dev.lowbit.format.result.Recipe;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.scheme.SpecForms;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The runs of a suite, in the order they train: per seed, recipe and architecture, the fp32 twin first. */
public final class Plan {

    private static final String FP32 = "fp32";

    private Plan() {}

    /**
     * Every architecture x quantizer x seed of the suite as a run config, with activations and layer
     * policy kept as written (a suite without either), once the suite's values are checked together.
     *
     * @param canonicalQuantizer turns a quantizer as written ({@code ternary}) into the spec stored in
     *     results ({@code ternary@mse/tensor})
     * @throws BadInputException for values that cannot make a plan together, in one line
     */
    public static List<RunConfig> of(Suite suite, UnaryOperator<String> canonicalQuantizer) {
        return of(suite, SpecForms.weightsOnly(canonicalQuantizer));
    }

    /**
     * Every architecture x quantizer x activation spec x seed of the suite as a run config, once the
     * suite's values are checked together ({@link SuiteLimits#check}). The fp32 twin runs once, without
     * activations and with policy {@code all}. A suite that names no activations runs each quantizer with
     * the activations it is published with ({@code none} for most).
     *
     * @param forms turns each spec and the layer policy as written ({@code ternary}) into the form stored in
     *     results ({@code ternary@mse/tensor}), so a default that changes later never makes two different
     *     runs look the same
     * @throws BadInputException for values that cannot make a plan together, in one line
     */
    public static List<RunConfig> of(Suite suite, SpecForms forms) {
        SuiteLimits.check(suite);
        List<String> quantizers =
                canonical(suite, suite.quantizers(), forms::canonicalWeights, "Quantizers", "quantizer");
        List<String> activations = suite.activations().isEmpty()
                ? null
                : canonical(
                        suite, suite.activations(), forms::canonicalActivations, "Activations", "activation quantizer");
        String layerPolicy = forms.canonicalLayerPolicy(suite.layerPolicy());
        Map<String, List<String>> activationsOf = new HashMap<>();
        for (String quantizer : quantizers) {
            activationsOf.put(
                    quantizer,
                    FP32.equals(quantizer)
                            ? List.of(RunConfig.NO_ACTIVATIONS)
                            : activations != null ? activations : List.of(forms.ownActivations(quantizer)));
        }
        List<RunConfig> runs = new ArrayList<>();
        for (long seed : suite.seeds()) {
            for (Recipe recipe : suite.recipes()) {
                for (String architecture : suite.architectures()) {
                    for (String quantizer : quantizers) {
                        String policy = FP32.equals(quantizer) ? RunConfig.FP32_LAYER_POLICY : layerPolicy;
                        for (String activation : activationsOf.get(quantizer)) {
                            runs.add(new RunConfig(
                                    suite.name(),
                                    suite.dataset(),
                                    architecture,
                                    quantizer,
                                    policy,
                                    activation,
                                    recipe,
                                    suite.trainLimit(),
                                    suite.validationShare(),
                                    seed));
                        }
                    }
                }
            }
        }
        return runs;
    }

    /**
     * The canonical forms of specs; two specs written differently may name one scheme (ternary and
     * ternary@mse), which would train the same runs twice.
     */
    private static List<String> canonical(
            Suite suite, List<String> written, UnaryOperator<String> form, String plural, String noun) {
        List<String> canonical = written.stream().map(form).toList();
        Map<String, String> writtenAs = new HashMap<>();
        for (int i = 0; i < canonical.size(); i++) {
            String earlier = writtenAs.putIfAbsent(canonical.get(i), written.get(i));
            if (earlier != null) {
                throw new BadInputException(plural + " '" + earlier + "' and '" + written.get(i) + "' of suite '"
                        + suite.name() + "' are the same " + noun + ", " + canonical.get(i)
                        + ", so they would train the"
                        + " same runs twice. Keep one of them.");
            }
        }
        return canonical;
    }
}
