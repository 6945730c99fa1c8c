package dev.lowbit.harness.plan;

import dev.lowbit.api.spi.LayerPolicy;
import dev.lowbit.format.result.Recipe;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/**
 * Reads and validates one suite file. It works on SnakeYAML's node tree rather than binding to a
 * class, because only the nodes know their lines, and binding stops at the first problem.
 */
final class SuiteReader {

    static final List<String> KEYS = List.of(
            "name",
            "dataset",
            "architectures",
            "quantizers",
            "activations",
            "layerPolicy",
            "recipes",
            "seeds",
            "trainLimit",
            "validationShare",
            "parityTolerance");
    private static final List<String> REQUIRED =
            List.of("name", "dataset", "architectures", "quantizers", "recipes", "seeds");
    // The name becomes a folder under --out: no separators, nothing hidden.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private final Consumer<String> checkArchitecture;
    private final Consumer<String> checkQuantizer;
    private final Consumer<String> checkActivations;
    private final Consumer<String> checkLayerPolicy;

    /**
     * @param checkArchitecture throws a {@link BadInputException} for an architecture id that does not exist
     * @param checkQuantizer throws a {@link BadInputException} for a quantizer spec that cannot be resolved
     * @param checkActivations throws a {@link BadInputException} for an activation spec that cannot be resolved
     * @param checkLayerPolicy throws a {@link BadInputException} for a layer policy that is no preset and no valid map
     */
    SuiteReader(
            Consumer<String> checkArchitecture,
            Consumer<String> checkQuantizer,
            Consumer<String> checkActivations,
            Consumer<String> checkLayerPolicy) {
        this.checkArchitecture = checkArchitecture;
        this.checkQuantizer = checkQuantizer;
        this.checkActivations = checkActivations;
        this.checkLayerPolicy = checkLayerPolicy;
    }

    /**
     * The suite in {@code reader}.
     *
     * @param file the file's name as the user gave it, for messages
     * @throws BadInputException naming every problem with its line
     */
    Suite read(String file, Reader reader) {
        SuiteFields fields = new SuiteFields();
        Node root;
        try {
            root = new Yaml(loaderOptions()).compose(reader);
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            fields.problem(mark == null ? 1 : mark.getLine() + 1, "not valid YAML: " + e.getProblem());
            throw SuiteProblem.toException(file, fields.problems());
        } catch (YAMLException e) {
            fields.problem(1, "not readable as YAML: " + e.getMessage());
            throw SuiteProblem.toException(file, fields.problems());
        }
        Optional<Suite> suite = suite(root, fields);
        if (suite.isEmpty() || !fields.problems().isEmpty()) {
            throw SuiteProblem.toException(file, fields.problems());
        }
        return suite.get();
    }

    /**
     * SnakeYAML's limits, spelled out rather than left to its defaults: a suite is a flat mapping a few
     * levels deep with no use for aliases of collections, so anything beyond these bounds is an attack
     * (an alias bomb, a nesting that overflows the stack) or an accident, refused as "not valid YAML".
     */
    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(10);
        options.setAllowRecursiveKeys(false);
        options.setNestingDepthLimit(10);
        options.setCodePointLimit(SuiteLimits.MAX_FILE_BYTES);
        return options;
    }

    private Optional<Suite> suite(Node root, SuiteFields fields) {
        if (root == null) {
            fields.problem(1, "the file is empty; a suite needs " + String.join(", ", REQUIRED));
            return Optional.empty();
        }
        if (!(root instanceof MappingNode mapping)) {
            fields.problem(
                    root,
                    "a suite must be a mapping of keys such as 'name: my-suite'. Keys: " + String.join(", ", KEYS));
            return Optional.empty();
        }
        Map<String, SuiteFields.Entry> entries = fields.entries(mapping, KEYS, "key", "");
        for (String key : REQUIRED) {
            if (!entries.containsKey(key)) {
                fields.problem(root, "missing key '" + key + "'; a suite needs " + String.join(", ", REQUIRED));
            }
        }
        Optional<String> name = value(entries, "name")
                .flatMap(n -> fields.text(n, "'name'"))
                .filter(n -> {
                    if (!NAME.matcher(n).matches()) {
                        fields.problem(
                                entries.get("name").value(),
                                "'name' must be letters, digits, '.', '_' or '-' (it names"
                                        + " the results folder), got '" + n + "'");
                        return false;
                    }
                    if (n.length() > SuiteLimits.MAX_NAME_LENGTH) {
                        fields.problem(
                                entries.get("name").value(),
                                "'name' must be at most " + SuiteLimits.MAX_NAME_LENGTH
                                        + " characters (it names the results folder), got " + n.length()
                                        + " characters: '"
                                        + n.substring(0, 40) + "...'");
                        return false;
                    }
                    return true;
                });
        Optional<String> dataset =
                value(entries, "dataset").flatMap(n -> fields.choice(n, "'dataset'", "dataset", "", Datasets.NAMES));
        List<String> architectures =
                checked(entries, fields, "architectures", "[fcnn-small, cnn-small]", checkArchitecture);
        List<String> quantizers =
                checked(entries, fields, "quantizers", "[fp32, ternary, levels:-2,-1,1,2]", checkQuantizer);
        List<String> activations =
                checked(entries, fields, "activations", "[none, int8@absmax/token, pact:4]", checkActivations);
        String layerPolicy = value(entries, "layerPolicy")
                .flatMap(n -> fields.text(n, "'layerPolicy'").filter(text -> {
                    try {
                        checkLayerPolicy.accept(text);
                        return true;
                    } catch (BadInputException e) {
                        fields.problem(n, e.getMessage());
                        return false;
                    }
                }))
                .orElse(LayerPolicy.ALL.id());
        List<Recipe> recipes = value(entries, "recipes")
                .map(n -> new RecipeReader(fields).read(n))
                .orElse(List.of());
        List<Long> seeds = new ArrayList<>();
        value(entries, "seeds").ifPresent(n -> {
            List<ScalarNode> listed = fields.list(n, "'seeds'", "[1, 2, 3]");
            if (listed.size() > SuiteLimits.MAX_SEEDS) {
                fields.problem(
                        n,
                        "'seeds' lists " + listed.size() + " seeds, more than the " + SuiteLimits.MAX_SEEDS
                                + " a suite may have");
                return;
            }
            listed.forEach(
                    seed -> fields.whole(seed, "a seed", 0, Long.MAX_VALUE).ifPresent(seeds::add));
        });
        int trainLimit = value(entries, "trainLimit")
                .flatMap(n -> fields.whole(n, "'trainLimit'", 0, Integer.MAX_VALUE))
                .orElse(0L)
                .intValue();
        double validationShare = value(entries, "validationShare")
                .flatMap(n -> fields.number(n, "'validationShare'", v -> v >= 0 && v <= 0.5, "in [0, 0.5]"))
                .orElse(0.1);
        double parityTolerance = value(entries, "parityTolerance")
                .flatMap(n -> fields.number(n, "'parityTolerance'", v -> v > 0 && v < 1, "in (0, 1)"))
                .orElse(0.01);
        if (!fields.problems().isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Suite(
                name.orElseThrow(),
                dataset.orElseThrow(),
                architectures,
                quantizers,
                activations,
                layerPolicy,
                recipes,
                seeds,
                trainLimit,
                validationShare,
                parityTolerance,
                null,
                null));
    }

    private static Optional<Node> value(Map<String, SuiteFields.Entry> entries, String key) {
        return Optional.ofNullable(entries.get(key)).map(SuiteFields.Entry::value);
    }

    /** A list of ids or specs, each passed through {@code check}; what it throws becomes a problem on that line. */
    private static List<String> checked(
            Map<String, SuiteFields.Entry> entries,
            SuiteFields fields,
            String key,
            String example,
            Consumer<String> check) {
        List<String> values = new ArrayList<>();
        for (ScalarNode element : value(entries, key)
                .map(n -> fields.list(n, "'" + key + "'", example))
                .orElse(List.of())) {
            try {
                check.accept(element.getValue());
                values.add(element.getValue());
            } catch (BadInputException e) {
                fields.problem(element, e.getMessage());
            }
        }
        return values;
    }
}
