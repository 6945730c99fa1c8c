package dev.lowbit.harness.plan;

import dev.lowbit.format.result.Recipe;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads a suite's {@code recipes:} mapping. A recipe may {@code extends} another and replace some of
 * its settings; chains are allowed, a cycle or a missing parent is a problem.
 */
final class RecipeReader {

    /** The optimizers the trainer builds. */
    static final List<String> OPTIMIZERS = List.of("adam", "sgd");
    /** The learning-rate schedules the trainer builds. */
    static final List<String> SCHEDULES = List.of("constant", "cosine");
    /** The augmentation sets the trainer applies. */
    static final List<String> AUGMENTATIONS = List.of("none", "standard");

    static final String EXTENDS = "extends";
    static final List<String> KEYS = List.of(
            EXTENDS, "optimizer", "learningRate", "schedule", "batchSize", "epochs", "weightDecay", "augmentation");
    private static final List<String> REQUIRED = List.of("optimizer", "learningRate", "batchSize", "epochs");
    /** Settings a recipe may leave out, with the value it then has. */
    private static final Map<String, Object> DEFAULTS =
            Map.of("schedule", "constant", "weightDecay", 0.0, "augmentation", "none");

    /** A recipe as written: its own settings, before its parent's are merged in. */
    private record Draft(
            String name, int line, String parent, int parentLine, Map<String, Object> settings, Set<String> invalid) {}

    private final SuiteFields fields;

    RecipeReader(SuiteFields fields) {
        this.fields = fields;
    }

    /** The recipes in file order; empty when there are problems (they are recorded in the fields' problems). */
    List<Recipe> read(Node node) {
        if (!(node instanceof MappingNode mapping)) {
            fields.problem(
                    node,
                    "'recipes' must map recipe names to their settings, e.g. base: {optimizer: adam,"
                            + " learningRate: 0.001, batchSize: 128, epochs: 10}");
            return List.of();
        }
        if (mapping.getValue().isEmpty()) {
            fields.problem(node, "'recipes' is empty; name at least one recipe");
            return List.of();
        }
        Map<String, Draft> drafts = new LinkedHashMap<>();
        for (SuiteFields.Entry entry :
                fields.entries(mapping, null, "recipe", "").values()) {
            draft(entry).ifPresent(d -> drafts.put(d.name(), d));
        }
        List<Recipe> recipes = new ArrayList<>();
        Set<Set<String>> reportedCycles = new HashSet<>();
        for (Draft draft : drafts.values()) {
            Optional<List<Draft>> chain = chain(draft, drafts, reportedCycles);
            chain.flatMap(c -> build(draft, c)).ifPresent(recipes::add);
        }
        return recipes;
    }

    /** Reads one recipe's own settings, recording a problem for each bad one. */
    private Optional<Draft> draft(SuiteFields.Entry entry) {
        String where = " in recipe '" + entry.key() + "'";
        if (!(entry.value() instanceof MappingNode mapping)) {
            boolean empty = entry.value() instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
            fields.problem(
                    entry.value(),
                    "recipe '" + entry.key() + "' " + (empty ? "has no settings" : "must be a mapping") + ", e.g. "
                            + entry.key() + ": {optimizer: adam, learningRate: 0.001, batchSize: 128, epochs: 10}");
            return Optional.empty();
        }
        Map<String, Object> settings = new HashMap<>();
        Set<String> invalid = new HashSet<>();
        String parent = null;
        int parentLine = 0;
        for (SuiteFields.Entry setting :
                fields.entries(mapping, KEYS, "key", where).values()) {
            String label = "'" + setting.key() + "'" + where;
            Node value = setting.value();
            Optional<?> read = switch (setting.key()) {
                case EXTENDS -> fields.text(value, label);
                case "optimizer" -> fields.choice(value, label, "optimizer", where, OPTIMIZERS);
                case "schedule" -> fields.choice(value, label, "schedule", where, SCHEDULES);
                case "augmentation" -> fields.choice(value, label, "augmentation", where, AUGMENTATIONS);
                case "learningRate" -> fields.number(value, label, v -> v > 0, "> 0");
                case "weightDecay" -> fields.number(value, label, v -> v >= 0, ">= 0");
                // How large a batch may be depends on the training set: SuiteLimits checks it with the plan.
                case "batchSize" ->
                    fields.whole(value, label, 1, Integer.MAX_VALUE).map(Long::intValue);
                case "epochs" ->
                    fields.whole(value, label, 1, SuiteLimits.MAX_EPOCHS).map(Long::intValue);
                default -> throw new IllegalStateException("unhandled recipe key " + setting.key());
            };
            if (read.isEmpty()) {
                invalid.add(setting.key());
            } else if (setting.key().equals(EXTENDS)) {
                parent = (String) read.get();
                parentLine = SuiteFields.line(value);
            } else {
                settings.put(setting.key(), read.get());
            }
        }
        return Optional.of(new Draft(entry.key(), entry.line(), parent, parentLine, settings, invalid));
    }

    /**
     * The recipe and its ancestors, the recipe first; empty when the chain leads to an unknown recipe
     * or round a cycle. Each such problem is reported once, on the recipe where it is written.
     */
    private Optional<List<Draft>> chain(Draft draft, Map<String, Draft> drafts, Set<Set<String>> reportedCycles) {
        List<Draft> chain = new ArrayList<>(List.of(draft));
        for (Draft current = draft; current.parent() != null; ) {
            Draft parent = drafts.get(current.parent());
            if (parent == null) {
                if (current.equals(draft)) {
                    fields.problem(
                            draft.parentLine(),
                            "recipe '" + draft.name() + "' extends '" + draft.parent()
                                    + "', which is not a recipe of this suite. Recipes: "
                                    + List.copyOf(drafts.keySet()));
                }
                return Optional.empty();
            }
            int loop = chain.indexOf(parent);
            if (loop >= 0) {
                List<String> cycle = new ArrayList<>(chain.subList(loop, chain.size()).stream()
                        .map(Draft::name)
                        .toList());
                cycle.add(parent.name());
                // Only recipes on the cycle report it, and only the first of them in file order.
                if (loop == 0 && reportedCycles.add(new TreeSet<>(cycle))) {
                    fields.problem(
                            draft.parentLine(), "recipes extend each other in a cycle: " + String.join(" -> ", cycle));
                }
                return Optional.empty();
            }
            chain.add(parent);
            current = parent;
        }
        return Optional.of(chain);
    }

    /** Merges the chain (a child's settings replace its parent's) and builds the recipe if nothing is missing. */
    private Optional<Recipe> build(Draft draft, List<Draft> chain) {
        Map<String, Object> merged = new HashMap<>(DEFAULTS);
        Set<String> invalid = new HashSet<>();
        for (int i = chain.size() - 1; i >= 0; i--) {
            merged.putAll(chain.get(i).settings());
            invalid.addAll(chain.get(i).invalid());
        }
        if (invalid.contains(EXTENDS)) {
            return Optional.empty(); // without its parent, whatever looks missing may just be inherited
        }
        // A setting that is present but wrong was reported already; saying it is missing would mislead.
        List<String> missing = REQUIRED.stream()
                .filter(k -> !merged.containsKey(k) && !invalid.contains(k))
                .map(k -> "'" + k + "'")
                .toList();
        if (!missing.isEmpty()) {
            String names = missing.size() == 1
                    ? missing.get(0)
                    : String.join(", ", missing.subList(0, missing.size() - 1)) + " or "
                            + missing.get(missing.size() - 1);
            fields.problem(
                    draft.line(),
                    "recipe '" + draft.name() + "' has no " + names
                            + (draft.parent() != null ? ", nor does a recipe it extends" : "")
                            + "; every recipe needs optimizer, learningRate, batchSize and epochs");
        }
        boolean complete = merged.keySet().containsAll(REQUIRED);
        if (!complete || !invalid.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Recipe(
                draft.name(),
                (String) merged.get("optimizer"),
                (Double) merged.get("learningRate"),
                (String) merged.get("schedule"),
                (Integer) merged.get("batchSize"),
                (Integer) merged.get("epochs"),
                (Double) merged.get("weightDecay"),
                (String) merged.get("augmentation")));
    }
}
