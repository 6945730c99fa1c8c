package dev.lowbit.harness.plan;

import dev.lowbit.api.result.Recipe;
import dev.lowbit.api.result.RunConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/** The runs of a suite, in the order they train: per seed, recipe and architecture, the fp32 twin first. */
public final class Plan {

    private Plan() {}

    /**
     * Every architecture x quantizer x seed of the suite as a run config.
     *
     * @param canonicalQuantizer turns a quantizer as written ({@code ternary}) into the spec stored in
     *     results ({@code ternary@mse/tensor}), so a default that changes later never makes two
     *     different runs look the same
     */
    public static List<RunConfig> of(Suite suite, UnaryOperator<String> canonicalQuantizer) {
        List<String> quantizers = suite.quantizers().stream().map(canonicalQuantizer).toList();
        List<RunConfig> runs = new ArrayList<>();
        for (long seed : suite.seeds()) {
            for (Recipe recipe : suite.recipes()) {
                for (String architecture : suite.architectures()) {
                    for (String quantizer : quantizers) {
                        String policy = "fp32".equals(quantizer) ? RunConfig.FP32_LAYER_POLICY : suite.layerPolicy();
                        runs.add(new RunConfig(suite.name(), suite.dataset(), architecture, quantizer, policy, recipe,
                                suite.trainLimit(), suite.validationShare(), seed));
                    }
                }
            }
        }
        return runs;
    }
}
