package dev.lowbit.harness.plan;

import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The runs of a suite, in the order they train: per seed, recipe and architecture, the fp32 twin first. */
public final class Plan {

    private Plan() {}

    /**
     * Every architecture x quantizer x seed of the suite as a run config, once the suite's values are
     * checked together ({@link SuiteLimits#check}).
     *
     * @throws BadInputException for values that cannot make a plan together, in one line
     *
     * @param canonicalQuantizer turns a quantizer as written ({@code ternary}) into the spec stored in
     *     results ({@code ternary@mse/tensor}), so a default that changes later never makes two
     *     different runs look the same
     */
    public static List<RunConfig> of(Suite suite, UnaryOperator<String> canonicalQuantizer) {
        SuiteLimits.check(suite);
        List<String> quantizers = suite.quantizers().stream().map(canonicalQuantizer).toList();
        // Two specs written differently may name one quantizer (ternary and ternary@mse): the same runs twice.
        Map<String, String> writtenAs = new HashMap<>();
        for (int i = 0; i < quantizers.size(); i++) {
            String earlier = writtenAs.putIfAbsent(quantizers.get(i), suite.quantizers().get(i));
            if (earlier != null) {
                throw new BadInputException("Quantizers '" + earlier + "' and '" + suite.quantizers().get(i)
                        + "' of suite '" + suite.name() + "' are the same quantizer, " + quantizers.get(i)
                        + ", so they would train the same runs twice. Keep one of them.");
            }
        }
        List<RunConfig> runs = new ArrayList<>();
        for (long seed : suite.seeds()) {
            for (Recipe recipe : suite.recipes()) {
                for (String architecture : suite.architectures()) {
                    for (String quantizer : quantizers) {
                        String policy = "fp32".equals(quantizer) ? RunConfig.FP32_LAYER_POLICY : suite.layerPolicy();
                        runs.add(new RunConfig(suite.name(), suite.dataset(), architecture, quantizer, policy,
                                RunConfig.NO_ACTIVATIONS, recipe, suite.trainLimit(), suite.validationShare(), seed));
                    }
                }
            }
        }
        return runs;
    }
}
