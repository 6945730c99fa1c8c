package dev.lowbit.harness.cli;

import dev.lowbit.api.spi.ActivationQuantizer;
import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.harness.plugin.ActivationRegistry;
import dev.lowbit.harness.plugin.Discovered;
import dev.lowbit.harness.plugin.EstimatorRegistry;
import java.io.PrintWriter;
import java.util.Locale;

/** The sections of {@code lowbit list} for gradient estimators and activation quantizers. */
final class SchemeSections {

    private SchemeSections() {}

    /** Each estimator: id, description, source. */
    static void estimators(EstimatorRegistry estimators, PrintWriter out) {
        out.println("Gradient estimators (append ~ID to a quantizer or activation spec, e.g. ternary~clipped; default:"
                + " the quantizer's own, ste for most)");
        for (Discovered<GradientEstimator> entry : estimators.all()) {
            String description;
            try {
                description = entry.plugin().description();
            } catch (RuntimeException | LinkageError e) {
                // A plugin's estimator that cannot describe itself is shown as such; the rest is still listed.
                description = "cannot describe itself: " + e;
            }
            out.printf("  %-14s %s  %s%n", entry.plugin().id(), description, entry.source());
        }
    }

    /** {@code 8} for whole bits, {@code 1.58} otherwise. */
    private static String bits(double bits) {
        return bits == Math.rint(bits) && Math.abs(bits) < 1e6
                ? String.valueOf((long) bits)
                : String.format(Locale.ROOT, "%.2f", bits);
    }

    /** Each activation quantizer: id, its default spec and bits, description, source; or that there are none. */
    static void activations(ActivationRegistry activations, PrintWriter out) {
        out.println(
                "Activation quantizers (--activations SPEC or the suite's activations: ID[@OPTIONS|:OPTIONS][~ESTIMATOR],"
                        + " e.g. int8@absmax/token, pact:4; default none)");
        if (activations.all().isEmpty()) {
            out.println("  none installed");
            return;
        }
        out.printf("  %-14s %-22s %-6s %s%n", "id", "default spec", "bits", "description  source");
        for (Discovered<ActivationQuantizer> entry : activations.all()) {
            ActivationQuantizer quantizer = entry.plugin();
            try {
                ActivationQuantizer configured = quantizer.configure("");
                out.printf(
                        Locale.ROOT,
                        "  %-14s %-22s %-6s %s  %s%n",
                        quantizer.id(),
                        configured.spec(),
                        bits(configured.bits()),
                        quantizer.description(),
                        entry.source());
            } catch (RuntimeException | LinkageError e) {
                out.printf("  %-14s cannot describe itself: %s  %s%n", quantizer.id(), e, entry.source());
            }
        }
    }
}
