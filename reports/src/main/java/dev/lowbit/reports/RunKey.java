package dev.lowbit.reports;

import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.RunConfig;
import java.util.Objects;

/**
 * What tells stored runs apart in the report: the run's config and the activation quantizer its
 * layers applied, as its quantizer record names it (a quantizer such as BitNet b1.58 brings its own,
 * so the config alone does not say). Runs with the same spec but other activations are other runs,
 * in other groups, with the same fp32 twin.
 *
 * @param config the run's config
 * @param activations the canonical activation spec, {@code none} for fp32 inputs
 */
record RunKey(RunConfig config, String activations) {

    RunKey {
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(activations, "activations");
    }

    static RunKey of(StoredRun run) {
        return new RunKey(
                run.run().config(), run.run().quantizer().activations().spec());
    }

    /** The key of the fp32 twin: the config at full precision, inputs in fp32. */
    RunKey twin() {
        return new RunKey(config.twin(), ActivationRecord.NONE_SPEC);
    }

    /** The same key with seed 0: what the seeds of one experiment share. */
    RunKey withoutSeed() {
        return new RunKey(config.withSeed(0), activations);
    }
}
