package dev.lowbit.harness.plugin;

import dev.lowbit.api.spi.GradientEstimator;
import dev.lowbit.harness.BadInputException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The gradient estimators a spec names after a tilde ({@code ternary~clipped}, {@code sign~approx-sign}),
 * built-in and from plugins. The straight-through estimator {@code ste} is always there: when no provider
 * is named {@code ste}, lowbit's api's {@link GradientEstimator#STE} stands in, so the id every quantizer
 * trains with by default can always be written.
 */
public final class EstimatorRegistry extends Registry<GradientEstimator> {

    /** Where {@link GradientEstimator#STE} comes from when no provider is named {@code ste}. */
    static final String API_SOURCE = "built-in (lowbit-api)";
    /** What separates a spec from its estimator; estimator ids never hold one, so the last one counts. */
    private static final char TILDE = '~';

    public EstimatorRegistry(Collection<Discovered<GradientEstimator>> found) {
        super("gradient estimator", withStraightThrough(found), GradientEstimator::id);
    }

    /** No estimators but {@code ste}: for registries built by hand. */
    public static EstimatorRegistry straightThroughOnly() {
        return new EstimatorRegistry(List.of());
    }

    /** The estimator with this id, or a {@link BadInputException} listing the ids that exist. */
    @Override
    public GradientEstimator get(String id) {
        return find(id).map(Discovered::plugin)
                .orElseThrow(() -> new BadInputException("No gradient estimator '" + id + "'. Available: " + ids()
                        + ". Put its jar in plugins/ or run 'lowbit list'."));
    }

    /** The part of a spec before its estimator: {@code ternary@mse} of {@code ternary@mse~clipped}; the spec without a tilde. */
    public static String withoutEstimator(String spec) {
        int tilde = spec.lastIndexOf(TILDE);
        return tilde < 0 ? spec : spec.substring(0, tilde);
    }

    /** The estimator id a spec names after its tilde ({@code clipped} of {@code ternary~clipped}), if it names one. */
    public static Optional<String> estimatorId(String spec) {
        int tilde = spec.lastIndexOf(TILDE);
        return tilde < 0 ? Optional.empty() : Optional.of(spec.substring(tilde + 1));
    }

    private static List<Discovered<GradientEstimator>> withStraightThrough(
            Collection<Discovered<GradientEstimator>> found) {
        List<Discovered<GradientEstimator>> all = new ArrayList<>(found);
        if (found.stream()
                .noneMatch(entry ->
                        GradientEstimator.STE.id().equals(entry.plugin().id()))) {
            all.add(new Discovered<>(GradientEstimator.STE, API_SOURCE));
        }
        return all;
    }
}
