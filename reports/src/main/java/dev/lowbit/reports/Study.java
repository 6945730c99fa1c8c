package dev.lowbit.reports;

import dev.lowbit.format.result.RunConfig;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Function;

/**
 * The stored runs as the report reasons about them: grouped over seeds, each group joined to its
 * fp32 twin group, each run to its fp32 twin run. Every table, chart and verdict reads from here.
 */
final class Study {

    private final List<StoredRun> runs;
    private final List<RunGroup> groups;
    private final Map<RunKey, RunGroup> byKey = new HashMap<>();
    private final TwinComparison twins;
    private final ReportOptions options;
    /** The {@link #PANEL_PARTS} that differ within the study; computed once, as every label asks. */
    private final List<Function<RunConfig, String>> varyingPanelParts;

    private final boolean severalPolicies;

    /**
     * @param runs the stored runs in report order
     * @param options the parity tolerance (also the margin within which a low-bit model counts as
     *     comparable to fp32 in the verdicts), the intervals' confidence and the seeds a verdict needs
     */
    Study(List<StoredRun> runs, ReportOptions options) {
        this.runs = List.copyOf(runs);
        this.groups = RunGroup.of(runs, options.confidence());
        this.twins = new TwinComparison(runs, options.parityTolerance());
        this.options = options;
        for (RunGroup group : groups) {
            byKey.putIfAbsent(group.runKey(), group);
        }
        this.varyingPanelParts = PANEL_PARTS.stream()
                .filter(part ->
                        groups.stream().map(g -> part.apply(g.key())).distinct().count() > 1)
                .toList();
        this.severalPolicies = groups.stream()
                        .filter(g -> !g.isFullPrecision())
                        .map(g -> g.key().layerPolicy())
                        .distinct()
                        .count()
                > 1;
    }

    List<StoredRun> runs() {
        return runs;
    }

    List<RunGroup> groups() {
        return groups;
    }

    TwinComparison twins() {
        return twins;
    }

    ReportOptions options() {
        return options;
    }

    /** The tolerance as a fraction. */
    double tolerance() {
        return options.parityTolerance();
    }

    /** The tolerance in percentage points. */
    double tolerancePoints() {
        return options.tolerancePoints();
    }

    /** The group with this group's config at full precision, inputs in fp32. */
    Optional<RunGroup> twinOf(RunGroup group) {
        return Optional.ofNullable(byKey.get(group.runKey().twin()));
    }

    /** The group with exactly this config (seed 0) and activation quantizer, if stored. */
    Optional<RunGroup> group(RunKey key) {
        return Optional.ofNullable(byKey.get(key));
    }

    /** Mean test accuracy minus the fp32 twin group's, in percentage points; empty without finished seeds on both sides. */
    OptionalDouble deltaPoints(RunGroup group) {
        Summary own = group.testAccuracy();
        Optional<Summary> twin = twinOf(group).map(RunGroup::testAccuracy).filter(s -> !s.isEmpty());
        if (own.isEmpty() || twin.isEmpty()) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(100 * (own.mean() - twin.get().mean()));
    }

    /** Each seed's epochs-to-parity, in the group's order. */
    List<TwinComparison.Parity> parities(RunGroup group) {
        return group.runs().stream().map(twins::parity).toList();
    }

    /**
     * The median epochs-to-parity over the seeds where it is measurable, a censored seed counting as
     * one epoch beyond its run; empty when no seed has a finished twin.
     */
    OptionalDouble medianParity(RunGroup group) {
        double[] epochs = parities(group).stream()
                .filter(TwinComparison.Parity::measurable)
                .mapToDouble(TwinComparison.Parity::epochOrBeyond)
                .sorted()
                .toArray();
        if (epochs.length == 0) {
            return OptionalDouble.empty();
        }
        int mid = epochs.length / 2;
        return OptionalDouble.of(epochs.length % 2 == 1 ? epochs[mid] : (epochs[mid - 1] + epochs[mid]) / 2);
    }

    /**
     * The chart panel (or line) a group belongs to: its architecture, and each other part of its config
     * that differs within the study (recipe, dataset, training images, validation share, suite), so that
     * two groups never share a panel's series name. Usually just the architecture.
     */
    String panel(RunGroup group) {
        StringBuilder panel = new StringBuilder(group.architecture());
        for (Function<RunConfig, String> part : varyingPanelParts) {
            panel.append(" / ").append(part.apply(group.key()));
        }
        return panel.toString();
    }

    /**
     * A group's name within its panel: its spec, activation quantizer and W/A bits, with its layer map,
     * or its preset layer policy when the study quantizes with several (fp32 runs are all stored under
     * one policy, so their band stays one per panel). For example {@code ternary@mse/tensor W1.58} or
     * {@code ternary@mse/tensor + int8@absmax/token W1.58A8 (fp32-first layers)}.
     */
    String series(RunGroup group) {
        SchemeLabel scheme = group.scheme();
        return scheme.quantizers() + " " + scheme.bits() + policySuffix(group);
    }

    /** A group's quantizers as the tables show them beside a column of W/A bits: {@link #series} without the bits. */
    String quantizers(RunGroup group) {
        return group.scheme().quantizers() + policySuffix(group);
    }

    /** {@code  (layers <map>)}, {@code  (<preset> layers)} when the study has several policies, or nothing. */
    private String policySuffix(RunGroup group) {
        SchemeLabel scheme = group.scheme();
        if (scheme.layerMap().isPresent()) {
            return scheme.layerMapSuffix();
        }
        return severalPolicies && !group.isFullPrecision() ? " (" + group.key().layerPolicy() + " layers)" : "";
    }

    /** A group's name across the study: {@code panel / series}, e.g. {@code fcnn-small / ternary@mse/tensor W1.58}. */
    String label(RunGroup group) {
        return panel(group) + " / " + series(group);
    }

    /** The parts of a run's config beyond architecture, spec, layer policy and seed, as a reader names them. */
    private static final List<Function<RunConfig, String>> PANEL_PARTS = List.of(
            config -> config.recipe().name(),
            RunConfig::dataset,
            config -> config.trainLimit() == 0 ? "all images" : config.trainLimit() + " images",
            config -> "validation " + config.validationShare(),
            config -> "suite " + config.suite());

    /** Whether the runs use more than one recipe, so labels must name it. */
    boolean severalRecipes() {
        return groups.stream().map(g -> g.key().recipe()).distinct().count() > 1;
    }
}
