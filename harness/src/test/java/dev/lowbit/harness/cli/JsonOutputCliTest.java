package dev.lowbit.harness.cli;

import static dev.lowbit.harness.cli.CliTest.lowbit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.lowbit.harness.plugin.ExamplePlugin;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --format json} of list, plan and run: standard output is one JSON document, and it has exactly the
 * fields docs/JSON.md lists for its schema, of the types listed there (the page's examples too).
 */
class JsonOutputCliTest {

    private static final Path DOC = Path.of("..", "docs", "JSON.md");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern SCHEMA_HEADING = Pattern.compile("^## `(lowbit\\.[a-z]+/\\d+)`");
    private static final Pattern FIELD_ROW = Pattern.compile("^\\| `([^`]+)` \\| ([a-z ]+) \\|");

    /** Per schema, each documented field path ({@code a.b}, {@code a[].b}) and the types it may have. */
    private static final Map<String, Map<String, Set<String>>> FIELDS = new LinkedHashMap<>();
    /** Per schema, the example documents on the page. */
    private static final Map<String, List<String>> EXAMPLES = new LinkedHashMap<>();

    @TempDir
    Path dir;

    @BeforeAll
    static void readTheDocumentedSchemas() throws IOException {
        String schema = null;
        StringBuilder example = null;
        for (String line : Files.readAllLines(DOC, StandardCharsets.UTF_8)) {
            Matcher heading = SCHEMA_HEADING.matcher(line);
            Matcher row = FIELD_ROW.matcher(line);
            if (line.startsWith("## ")) {
                schema = heading.find() ? heading.group(1) : null;
            } else if (schema != null && example == null && line.equals("```json")) {
                example = new StringBuilder();
            } else if (example != null && line.equals("```")) {
                EXAMPLES.computeIfAbsent(schema, s -> new ArrayList<>()).add(example.toString());
                example = null;
            } else if (example != null) {
                example.append(line).append('\n');
            } else if (schema != null && row.find()) {
                FIELDS.computeIfAbsent(schema, s -> new LinkedHashMap<>())
                        .put(row.group(1), Set.of(row.group(2).strip().split(" or ")));
            }
        }
        assertThat(FIELDS).containsOnlyKeys("lowbit.list/1", "lowbit.plan/1", "lowbit.run/1");
        assertThat(EXAMPLES).containsOnlyKeys("lowbit.list/1", "lowbit.plan/1", "lowbit.run/1");
    }

    /** Every field path found in {@code node} and the types found there. */
    private static void paths(JsonNode node, String path, Map<String, Set<String>> found, Set<String> nonEmpty) {
        if (!(node.isObject() && path.endsWith("[]"))) { // an array of objects is described by their fields
            found.computeIfAbsent(path, p -> new LinkedHashSet<>()).add(type(node));
        }
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(field -> paths(
                            field.getValue(),
                            path.isEmpty() ? field.getKey() : path + "." + field.getKey(),
                            found,
                            nonEmpty));
        } else if (node.isArray()) {
            node.forEach(element -> paths(element, path + "[]", found, nonEmpty));
        }
        if (node.isContainerNode() && !node.isEmpty()) {
            nonEmpty.add(path);
        }
    }

    private static String type(JsonNode node) {
        return switch (node.getNodeType()) {
            case STRING -> "string";
            case NUMBER -> node.isIntegralNumber() ? "integer" : "number";
            case BOOLEAN -> "boolean";
            case ARRAY -> "array";
            case OBJECT -> "object";
            case NULL -> "null";
            default -> node.getNodeType().toString();
        };
    }

    /** The document's fields are the documented ones, of the documented types; each one shown where it can be. */
    private static void assertDocumented(String schema, JsonNode document) {
        assertThat(document.path("schema").asText()).isEqualTo(schema);
        Map<String, Set<String>> documented = FIELDS.get(schema);
        Map<String, Set<String>> found = new LinkedHashMap<>();
        Set<String> nonEmpty = new LinkedHashSet<>();
        paths(document, "", found, nonEmpty);
        found.remove("");
        assertThat(documented.keySet())
                .as("fields of %s that docs/JSON.md does not list", schema)
                .containsAll(found.keySet());
        found.forEach((path, types) -> {
            Set<String> allowed = new LinkedHashSet<>(documented.get(path));
            if (allowed.contains("number")) {
                allowed.add("integer"); // 32.0 may be written as 32
            }
            assertThat(allowed).as("types of %s in %s", path, schema).containsAll(types);
        });
        for (String path : documented.keySet()) {
            int cut = Math.max(path.lastIndexOf('.'), path.endsWith("[]") ? path.length() - 2 : -1);
            String parent = cut < 0 ? "" : path.substring(0, cut);
            if (parent.isEmpty() || nonEmpty.contains(parent)) {
                assertThat(found).as("documented field %s of %s", path, schema).containsKey(path);
            }
        }
    }

    private static JsonNode document(CliTest.Result result) throws IOException {
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode document = JSON.readTree(result.out());
        // One document and nothing else: a second value or a stray line would not parse as one.
        assertThat(JSON.readerFor(JsonNode.class).readValues(result.out()).readAll())
                .hasSize(1);
        return document;
    }

    @Test
    void theExamplesOnThePageHaveTheDocumentedFields() throws IOException {
        for (Map.Entry<String, List<String>> examples : EXAMPLES.entrySet()) {
            for (String example : examples.getValue()) {
                assertDocumented(examples.getKey(), JSON.readTree(example));
            }
        }
    }

    @Test
    void listAsJsonHasTheDocumentedFieldsAndTheTablesContent() throws IOException {
        // A plugin that loads and one that fails, so every field of the plugins part is there to check.
        Path plugins = dir.resolve("plugins");
        ExamplePlugin.copyInto(plugins);
        Files.writeString(plugins.resolve("broken.jar"), "not a jar");

        CliTest.Result result = lowbit("list", "--plugins", plugins.toString(), "--format", "json");

        JsonNode list = document(result);
        assertDocumented("lowbit.list/1", list);
        JsonNode ternary = null;
        for (JsonNode quantizer : list.get("quantizers")) {
            if (quantizer.get("id").asText().equals("ternary")) {
                ternary = quantizer;
            }
        }
        assertThat(ternary).isNotNull();
        assertThat(ternary.get("levels").asInt()).isEqualTo(3);
        assertThat(ternary.get("values").toString()).isEqualTo("[-1.0,0.0,1.0]");
        assertThat(list.get("architectures").findValuesAsText("id")).contains("fcnn-small", "cnn-large", "vit-small");
        assertThat(list.get("architectures").get(0).get("parameters").isIntegralNumber())
                .isTrue();
        assertThat(list.get("suites").toString()).contains("quick", "paper");
        assertThat(list.get("plugins").get("loaded").get(0).get("provides").toString())
                .isEqualTo("[\"quantizer pow2\",\"architecture lenet-5\"]");
        assertThat(list.get("plugins").get("failures").get(0).asText()).contains("broken.jar");
    }

    @Test
    void listAsJsonIsReadByPythonsJsonTool() throws Exception {
        Path python = Stream.of(System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
                .filter(folder -> !folder.isEmpty())
                .map(folder -> Path.of(folder, "python3"))
                .filter(Files::isExecutable)
                .findFirst()
                .orElse(null);
        assumeTrue(python != null, "python3 is not installed");
        Path listed = dir.resolve("list.json");
        Files.writeString(listed, lowbit("list", "--format", "json").out());
        Process tool = new ProcessBuilder(python.toString(), "-m", "json.tool")
                .redirectInput(listed.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("tool.out").toFile())
                .start();
        assertThat(tool.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(tool.exitValue())
                .as(Files.readString(dir.resolve("tool.out")))
                .isZero();
        assertThat(JSON.readTree(dir.resolve("tool.out").toFile())).isEqualTo(JSON.readTree(listed.toFile()));
    }

    @Test
    void listRefusesJsonForOneArchitecturesLayersAndAnUnknownFormat() {
        CliTest.Result layers = lowbit("list", "--layers", "fcnn-small", "--format", "json");
        assertThat(layers.exitCode()).isEqualTo(2);
        assertThat(layers.err())
                .isEqualTo("lowbit: --layers prints a table only; leave out --format json, or --layers"
                        + " to list everything as JSON." + System.lineSeparator());
        CliTest.Result yaml = lowbit("list", "--format", "yaml");
        assertThat(yaml.exitCode()).isEqualTo(2);
        assertThat(yaml.err())
                .isEqualTo("lowbit: Unknown --format 'yaml'. Available: [table, json]." + System.lineSeparator());
    }

    @Test
    void planAsJsonHasTheDocumentedFieldsForTheWholePlanAndOneShard() throws IOException {
        JsonNode plan = document(lowbit("plan", "--suite", "quick", "--out", dir.toString(), "--format", "json"));
        assertDocumented("lowbit.plan/1", plan);
        assertThat(plan.get("suite").asText()).isEqualTo("quick");
        assertThat(plan.get("shard").isNull()).isTrue();
        assertThat(plan.get("runs")).hasSize(plan.get("planRuns").asInt());
        assertThat(plan.get("runs").get(0).get("runId").asText()).isEqualTo("fcnn-small.fp32.s1.fbc71b52");
        assertThat(plan.get("runs").get(0).get("status").isNull())
                .as("not run yet")
                .isTrue();

        JsonNode shard = document(
                lowbit("plan", "--suite", "quick", "--out", dir.toString(), "--shard", "2/2", "--format", "json"));
        assertDocumented("lowbit.plan/1", shard);
        assertThat(shard.get("shard").asText()).isEqualTo("2/2");
        assertThat(shard.get("runs").size()).isLessThan(shard.get("planRuns").asInt());

        Path file = dir.resolve("plan.json");
        CliTest.Result written =
                lowbit("plan", "--suite", "quick", "--out", dir.toString(), "--format", "json", "-o", file.toString());
        assertThat(written.exitCode()).as(written.err()).isZero();
        assertThat(JSON.readTree(file.toFile())).isEqualTo(plan);
    }

    @Test
    @Tag("training")
    void runAsJsonPrintsTheSummaryDocumentAloneOnStandardOutput() throws IOException {
        assertThat(CliTest.FASHION_MNIST.resolve("train-images-idx3-ubyte.gz"))
                .as("real Fashion-MNIST; install it with apt-get install dataset-fashion-mnist")
                .exists();
        String[] args = {
            "run",
            "--suite",
            "quick",
            "--arch",
            "fcnn-small",
            "--quantizer",
            "fp32",
            "--epochs",
            "1",
            "--train-limit",
            "500",
            "--workers",
            "1",
            "--out",
            dir.toString(),
            "--format",
            "json"
        };

        CliTest.Result first = lowbit(args);

        JsonNode run = document(first);
        assertDocumented("lowbit.run/1", run);
        assertThat(run.get("trained").asInt()).isEqualTo(1);
        assertThat(run.get("report").asText())
                .isEqualTo(dir.resolve("quick")
                        .resolve("report")
                        .resolve("index.html")
                        .toAbsolutePath()
                        .toString());
        assertThat(first.err()).as("the first line goes to the log").contains("Suite 'quick': 1 runs -> ");

        JsonNode again = document(lowbit(args));
        assertThat(again.get("trained").asInt()).isZero();
        assertThat(again.get("skipped").asInt()).isEqualTo(1);
    }
}
