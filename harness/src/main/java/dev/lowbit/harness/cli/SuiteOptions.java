package dev.lowbit.harness.cli;

import dev.lowbit.harness.plan.Shard;
import dev.lowbit.harness.plan.Suite;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plan.SuiteOverrides;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The options that choose a suite and replace its values, shared by {@code run} and {@code plan}
 * (a Picocli mixin), so both read a grid the same way.
 */
public final class SuiteOptions {

    @Option(
            names = "--suite",
            defaultValue = "quick",
            paramLabel = "NAME|FILE.yaml",
            description = "Built-in suite name or suite file (default: ${DEFAULT-VALUE}).")
    String suiteName;

    @Option(names = "--arch", split = ",", paramLabel = "ID", description = "Replace the suite's architectures.")
    List<String> architectureIds;

    // Split only at a comma followed by a letter: a levels: alphabet's values are commas plus numbers.
    @Option(
            names = "--quantizer",
            split = ",(?=[a-z])",
            splitSynopsisLabel = ",",
            paramLabel = "SPEC",
            description = "Replace the suite's quantizers: ids, levels:V,V,... alphabets, each optionally"
                    + " @RULE[/GRANULARITY] (tensor, channel, group:G) and ~ESTIMATOR, e.g."
                    + " ternary,levels:-2,-1,1,2,k17@absmax/channel,ternary~clipped.")
    List<String> quantizerIds;

    @Option(
            names = "--activations",
            split = ",(?=[a-z])",
            splitSynopsisLabel = ",",
            paramLabel = "SPEC",
            description =
                    "Replace the suite's activation quantizers, each run with every quantizer (the fp32 twin once):"
                            + " none, or ID[@OPTIONS|:OPTIONS][~ESTIMATOR], e.g. none,int8@absmax/token,pact:4,sign~approx-sign."
                            + " Without it, each quantizer runs with the activations it is published with (none for most).")
    List<String> activationSpecs;

    @Option(
            names = "--layer-policy",
            paramLabel = "POLICY",
            description = "Which layers to quantize: all, fp32-first, fp32-last or fp32-first-last (keep the input"
                    + " layer and/or the classifier in fp32), or a layer map SELECTOR=SPEC;... where SELECTOR is first,"
                    + " last, a position (-1 is the last) or a glob over layer names ('lowbit list --layers ARCH') and"
                    + " SPEC a quantizer spec or fp32, e.g. 'first=fp32;last=k17@absmax'.")
    String layerPolicy;

    @Option(names = "--epochs", paramLabel = "N", description = "Replace the recipes' epoch count.")
    Integer epochs;

    @Option(names = "--train-limit", paramLabel = "N", description = "Train on the first N training images only.")
    Integer trainLimit;

    @Option(names = "--seeds", split = ",", paramLabel = "SEED", description = "Replace the suite's seeds.")
    List<Long> seeds;

    @Option(
            names = "--shard",
            paramLabel = "I/N",
            description = "Only shard I of N: every N-th run of the plan, starting with run I (for clusters;"
                    + " see 'lowbit plan --format slurm|k8s').")
    String shard;

    /** The suite as named, with the overrides given on the command line applied, checked by the loader. */
    Suite load(SuiteLoader suites) {
        return suites.load(suiteName, overrides());
    }

    /** The overrides given on the command line. */
    SuiteOverrides overrides() {
        return new SuiteOverrides(
                architectureIds, quantizerIds, activationSpecs, layerPolicy, epochs, trainLimit, seeds);
    }

    /** The shard asked for, or all runs. */
    Shard shard() {
        return Shard.parse(shard);
    }

    /** The suite argument as given: a built-in name or a file path. */
    String suiteArgument() {
        return suiteName;
    }
}
