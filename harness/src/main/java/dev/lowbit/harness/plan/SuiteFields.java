package dev.lowbit.harness.plan;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.DoublePredicate;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads typed values from SnakeYAML nodes. A value that is wrong is recorded as a {@link SuiteProblem}
 * with its line and comes back empty, so one pass over a file finds every problem instead of the first.
 */
final class SuiteFields {

    // Numbers as people write them in a suite; Double.parseDouble alone would also take "NaN", "1f" or "0x1p3".
    private static final Pattern WHOLE = Pattern.compile("[-+]?[0-9]+");
    private static final Pattern DECIMAL = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");

    /** A key of a mapping with the line of the key and the value node. */
    record Entry(String key, int line, Node value) {}

    private final List<SuiteProblem> problems = new ArrayList<>();

    /** The problems recorded so far, in the order found. */
    List<SuiteProblem> problems() {
        return problems;
    }

    /** Records a problem on the node's line. */
    void problem(Node node, String message) {
        problem(line(node), message);
    }

    /** Records a problem on a line. */
    void problem(int line, String message) {
        problems.add(new SuiteProblem(line, message));
    }

    /** The node's 1-based line (SnakeYAML counts from 0). */
    static int line(Node node) {
        return node.getStartMark().getLine() + 1;
    }

    /**
     * The entries of a mapping by key, in file order. A repeated key keeps its first value and is a problem.
     *
     * @param allowed the keys that exist, or null when any name may be a key (recipe names)
     * @param noun what a key is, for messages: {@code key}, {@code recipe}
     * @param where where the mapping is, for messages: empty or {@code " in recipe 'base'"}
     */
    Map<String, Entry> entries(MappingNode mapping, List<String> allowed, String noun, String where) {
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node keyNode = tuple.getKeyNode();
            if (!(keyNode instanceof ScalarNode scalar) || scalar.getTag().equals(Tag.NULL)) {
                problem(keyNode, "a " + noun + where + " must be a plain name");
                continue;
            }
            String key = scalar.getValue();
            Entry previous = entries.get(key);
            if (previous != null) {
                problem(
                        keyNode,
                        "duplicate " + noun + " '" + key + "'" + where + " (first on line " + previous.line() + ")");
            } else if (allowed != null && !allowed.contains(key)) {
                problem(
                        keyNode,
                        "unknown " + noun + " '" + key + "'" + where + ". Keys: " + String.join(", ", allowed));
            } else {
                entries.put(key, new Entry(key, line(keyNode), tuple.getValueNode()));
            }
        }
        return entries;
    }

    /** A single value: not a list, not a mapping, not empty. */
    Optional<String> text(Node node, String label) {
        if (node instanceof ScalarNode scalar) {
            if (scalar.getTag().equals(Tag.NULL) || scalar.getValue().isBlank()) {
                problem(node, label + " has no value");
                return Optional.empty();
            }
            return Optional.of(scalar.getValue());
        }
        problem(node, label + " must be a single value, not a " + (node instanceof SequenceNode ? "list" : "mapping"));
        return Optional.empty();
    }

    /** A whole number from {@code min} to {@code max}. */
    Optional<Long> whole(Node node, String label, long min, long max) {
        // An int's ceiling is no limit anyone writes on purpose; only real upper bounds are spelled out.
        String range = max >= Integer.MAX_VALUE ? " >= " + min : " from " + min + " to " + max;
        return text(node, label).flatMap(value -> {
            if (WHOLE.matcher(value).matches()) {
                try {
                    long parsed = Long.parseLong(value);
                    if (parsed >= min && parsed <= max) {
                        return Optional.of(parsed);
                    }
                } catch (NumberFormatException tooLong) {
                    // Falls through to the same message as any other number out of range.
                }
            }
            problem(node, label + " must be a whole number" + range + ", got '" + value + "'");
            return Optional.empty();
        });
    }

    /** A decimal number accepted by {@code ok}; {@code range} says which in messages, e.g. {@code "> 0"}. */
    Optional<Double> number(Node node, String label, DoublePredicate ok, String range) {
        return text(node, label).flatMap(value -> {
            if (DECIMAL.matcher(value).matches()) {
                double parsed = Double.parseDouble(value);
                if (Double.isFinite(parsed) && ok.test(parsed)) {
                    return Optional.of(parsed);
                }
            }
            problem(node, label + " must be a number " + range + ", got '" + value + "'");
            return Optional.empty();
        });
    }

    /** One of {@code options}; {@code kind} names them in messages ({@code optimizer}). */
    Optional<String> choice(Node node, String label, String kind, String where, List<String> options) {
        return text(node, label).flatMap(value -> {
            if (options.contains(value)) {
                return Optional.of(value);
            }
            problem(node, "unknown " + kind + " '" + value + "'" + where + ". Available: " + options);
            return Optional.empty();
        });
    }

    /**
     * A non-empty list of single values without repeats; each comes back with its node so callers
     * can report problems with an element on the element's own line.
     *
     * @param example a list to show in the message when the value is not a list
     */
    List<ScalarNode> list(Node node, String label, String example) {
        if (!(node instanceof SequenceNode sequence)) {
            problem(node, label + " must be a list such as " + example);
            return List.of();
        }
        if (sequence.getValue().isEmpty()) {
            problem(node, label + " is empty; name at least one, e.g. " + example);
            return List.of();
        }
        Map<String, ScalarNode> seen = new LinkedHashMap<>();
        for (Node element : sequence.getValue()) {
            String elementLabel = "an entry of " + label;
            Optional<String> value = text(element, elementLabel);
            if (value.isEmpty()) {
                continue;
            }
            ScalarNode previous = seen.putIfAbsent(value.get(), (ScalarNode) element);
            if (previous != null) {
                problem(
                        element,
                        "'" + value.get() + "' appears twice in " + label + " (first on line " + line(previous) + ")");
            }
        }
        return List.copyOf(seen.values());
    }
}
