package dev.lowbit.harness.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.plan.Plan;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plugin.PluginLoader;
import dev.lowbit.harness.plugin.QuantizerRegistry;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Run ids with activations and estimators, and the ids of every run made before they existed. */
class RunIdsTest {

    private static final QuantizerRegistry QUANTIZERS =
            QuantizerRegistry.load(new PluginLoader(RunIdsTest.class.getClassLoader()));
    /** The built-in quick suite's runs: fp32, binary, ternary and quinary on fcnn-small, seed 1. */
    private static final List<RunConfig> QUICK =
            Plan.of(new SuiteLoader(id -> {}, QUANTIZERS::canonicalSpec).load("quick"), QUANTIZERS::canonicalSpec);

    private static RunConfig quick(String quantizer) {
        return QUICK.stream()
                .filter(run -> run.quantizer().startsWith(quantizer + "@")
                        || run.quantizer().equals(quantizer))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void runsWithoutActivationsKeepTheIdsTheyHadBeforeActivationsExisted() {
        // The ids lowbit gave these runs before RunConfig had activations (stored results are found by them).
        assertThat(QUICK)
                .extracting(RunIds::of)
                .containsExactly(
                        "fcnn-small.fp32.s1.fbc71b52",
                        "fcnn-small.binary.s1.9c29a153",
                        "fcnn-small.ternary.s1.d6fb91cc",
                        "fcnn-small.quinary.s1.5bb88bcc");
        assertThat(QUICK).extracting(RunConfig::activations).containsOnly("none");
    }

    @Test
    void aConfigWrittenBeforeActivationsExistedReadsAsNoneWithItsOldId() throws Exception {
        ObjectMapper json = new ObjectMapper();
        ObjectNode old = json.valueToTree(quick("ternary"));
        old.remove("activations");

        RunConfig read = json.treeToValue(old, RunConfig.class);

        assertThat(read.activations()).isEqualTo("none");
        assertThat(read).isEqualTo(quick("ternary"));
        assertThat(RunIds.of(read)).isEqualTo("fcnn-small.ternary.s1.d6fb91cc");
    }

    @Test
    void activationsChangeTheHashAndShowInTheReadablePart() {
        RunConfig int8 = quick("ternary").withActivations("int8@absmax/token");
        RunConfig pact = quick("ternary").withActivations("pact:4");
        RunConfig sign = quick("binary").withActivations("sign~approx-sign");

        assertThat(RunIds.of(int8))
                .matches("fcnn-small\\.ternary\\.a-int8\\.s1\\.[0-9a-f]{8}")
                .isNotEqualTo(RunIds.of(quick("ternary")));
        assertThat(RunIds.of(pact)).matches("fcnn-small\\.ternary\\.a-pact_4\\.s1\\.[0-9a-f]{8}");
        assertThat(RunIds.of(sign)).matches("fcnn-small\\.binary\\.a-sign\\.s1\\.[0-9a-f]{8}");
        assertThat(RunIds.of(int8.withActivations("int8@absmax/tensor"))).isNotEqualTo(RunIds.of(int8));
    }

    @Test
    void anEstimatorOtherThanTheQuantizersOwnShowsInTheReadablePart() {
        RunConfig clipped = new RunConfig(
                "quick",
                "fashion-mnist",
                "fcnn-small",
                "ternary@mse/tensor~clipped",
                "all",
                "none",
                quick("ternary").recipe(),
                0,
                0.1,
                1);

        assertThat(RunIds.of(clipped)).matches("fcnn-small\\.ternary\\.e-clipped\\.s1\\.[0-9a-f]{8}");
        assertThat(RunIds.of(clipped.withActivations("int8@absmax/token")))
                .matches("fcnn-small\\.ternary\\.e-clipped\\.a-int8\\.s1\\.[0-9a-f]{8}");
    }

    @Test
    void oneFp32TwinServesEveryActivationSettingAndLayerMap() {
        RunConfig quantized = quick("ternary").withActivations("int8@absmax/token");
        RunConfig mapped = new RunConfig(
                "quick",
                "fashion-mnist",
                "fcnn-small",
                quick("ternary").quantizer(),
                "first=fp32;last=k17@mse/tensor",
                "pact:4",
                quick("ternary").recipe(),
                0,
                0.1,
                1);

        assertThat(quantized.twin()).isEqualTo(quick("fp32"));
        assertThat(mapped.twin()).isEqualTo(quick("fp32"));
        assertThat(RunIds.of(mapped.twin())).isEqualTo("fcnn-small.fp32.s1.fbc71b52");
    }

    @Test
    void longActivationAndEstimatorPartsAreBoundedSoTheIdFitsAFileName() {
        String longId = "x".repeat(120);
        RunConfig run = new RunConfig(
                "quick",
                "fashion-mnist",
                "a".repeat(64),
                "levels:" + "1,".repeat(100) + "2@mse/tensor~" + longId,
                "all",
                longId + ":" + "9".repeat(200),
                quick("ternary").recipe(),
                0,
                0.1,
                Long.MAX_VALUE);

        String id = RunIds.of(run);

        assertThat(id).hasSizeLessThanOrEqualTo(230);
        assertThat(id).contains(".e-" + "x".repeat(28) + "_etc.a-" + "x".repeat(28) + "_etc.s" + Long.MAX_VALUE + ".");
    }
}
