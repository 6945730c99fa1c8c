package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.LongNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.EpochRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;

/**
 * The whole report over a results folder holding three valid runs and one crafted by the fuzzer: the
 * input up to its first NUL byte is the crafted run's run.json, the rest (when there is a NUL) its
 * epochs.jsonl. The property: the report is written, with the crafted run either shown or skipped
 * with one printable warning line, or refused with a {@link ReportException} (one line, exit 2 in the
 * CLI); never any other exception. And whatever the run held, the page has no markup it did not put
 * there ({@link PageSafety}) and no CSV text cell starts a formula.
 *
 * <p>{@link #rendersOrRefuses} takes the fuzzer's bytes as the files themselves, which finds what the
 * parsers do with broken JSON; {@link #rendersAnyValuesOrSkipsTheRun} keeps the JSON well formed and
 * lets the fuzzer choose the values of a real run's fields (numbers of any size and sign, NaN and the
 * infinities, any text), which reaches the range checks, the tables and the charts.
 *
 * <p>In {@code mvn verify} the seed corpus under {@code ReportFuzzTestInputs/<method>} is replayed;
 * {@code JAZZER_FUZZ=1} fuzzes one method for its {@code maxDuration} (README, "Threat model").
 */
class ReportFuzzTest {

    private static final String CSV_FORMULA_STARTS = "=+-@\t\r\n";

    /** The valid runs, written once; each input only replaces the crafted run's files. */
    private static Path results;

    private static synchronized Path results() throws IOException {
        if (results == null) {
            Path directory = Files.createTempDirectory("lowbit-report-fuzz");
            ResultsFixture.writeStandardStudy(directory.resolve("results"));
            results = directory;
        }
        return results;
    }

    @AfterAll
    static synchronized void deleteTheResults() throws IOException {
        if (results != null) {
            try (Stream<Path> files = Files.walk(results)) {
                for (Path path : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(path);
                }
            }
            results = null;
        }
    }

    @FuzzTest(maxDuration = "3m")
    @DictionaryEntries({
        "\"runId\"",
        "\"status\"",
        "\"FINISHED\"",
        "\"DIVERGED\"",
        "\"FAILED\"",
        "\"config\"",
        "\"quantizer\"",
        "\"memory\"",
        "\"tensors\"",
        "\"levelOccupancy\"",
        "\"levelCounts\"",
        "\"epoch\"",
        "\"validationAccuracy\"",
        "\"testAccuracy\"",
        "\"bitsPerWeight\"",
        "\"flipRatio\"",
        "\"values\"",
        "\"levels\"",
        "\"estimator\"",
        "\"activations\"",
        "\"spec\"",
        "\"bits\"",
        "\"layerPolicy\"",
        "NaN",
        "Infinity",
        "-Infinity",
        "1e308",
        "-1",
        "2147483647",
        "9223372036854775807",
        "null",
        "<script>",
        "'",
        "</",
        "="
    })
    void rendersOrRefuses(byte[] input) throws IOException {
        int nul = indexOf(input, (byte) 0);
        assertRendersOrRefuses(
                nul < 0 ? input : Arrays.copyOf(input, nul),
                nul < 0 ? null : Arrays.copyOfRange(input, nul + 1, input.length));
    }

    @FuzzTest(maxDuration = "3m")
    void rendersAnyValuesOrSkipsTheRun(FuzzedDataProvider data) throws IOException {
        List<EpochRecord> validEpochs = ResultsFixture.epochs(0.80, 0.85, 0.87);
        // Quantized inputs and a layer map, so the fuzzer's values reach the W/A labels and the map's text too.
        JsonNode run = Json.MAPPER.valueToTree(ResultsFixture.finished(
                "crafted",
                ResultsFixture.config("quick", "fcnn-small", "ternary@mse/tensor", "first=fp32", 2),
                ResultsFixture.ternary().withScheme("clipped", new ActivationRecord("int8@absmax/token", 8)),
                ResultsFixture.TERNARY_MEMORY,
                validEpochs,
                0.86));
        run = choose(run, data);
        StringBuilder epochs = new StringBuilder();
        int count = data.consumeInt(0, 4);
        for (int i = 0; i < count; i++) {
            epochs.append(Json.MAPPER.writeValueAsString(
                            choose(Json.MAPPER.valueToTree(validEpochs.get(i % validEpochs.size())), data)))
                    .append('\n');
        }
        assertRendersOrRefuses(
                Json.MAPPER.writeValueAsBytes(run), epochs.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** {@code node} with some of its values replaced by the fuzzer's: any number, any text, or null. */
    private static JsonNode choose(JsonNode node, FuzzedDataProvider data) {
        if (node.isObject()) {
            ObjectNode copy = Json.MAPPER.createObjectNode();
            node.fields().forEachRemaining(field -> copy.set(field.getKey(), choose(field.getValue(), data)));
            if (data.consumeBoolean()) {
                copy.put(data.consumeString(20), data.consumeString(20)); // a field the records do not know
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = Json.MAPPER.createArrayNode();
            node.forEach(element -> copy.add(choose(element, data)));
            return copy;
        }
        if (!data.consumeBoolean()) {
            return node;
        }
        return switch (data.consumeInt(0, 5)) {
            case 0 -> DoubleNode.valueOf(data.consumeDouble()); // NaN, the infinities and extremes included
            case 1 -> LongNode.valueOf(data.consumeLong());
            case 2 -> IntNode.valueOf(data.consumeInt());
            case 3 -> TextNode.valueOf(data.consumeString(60));
            case 4 -> NullNode.getInstance();
            default -> DoubleNode.valueOf(data.consumeRegularDouble(-2, 2));
        };
    }

    private void assertRendersOrRefuses(byte[] runJson, byte[] epochLines) throws IOException {
        Path root = results();
        Path crafted = Files.createDirectories(
                root.resolve("results").resolve("crafted").resolve("run"));
        Files.write(crafted.resolve("run.json"), runJson);
        Path epochs = crafted.resolve("epochs.jsonl");
        if (epochLines == null) {
            Files.deleteIfExists(epochs);
        } else {
            Files.write(epochs, epochLines);
        }
        Path page = root.resolve("report").resolve("index.html");
        List<String> warnings = new ArrayList<>();

        try {
            new ReportWriter().write(root.resolve("results"), page, warnings::add);
        } catch (ReportException refused) {
            assertThat(refused.getMessage()).doesNotContain("\n").doesNotContain("\r");
            return;
        }

        assertThat(warnings).as("at most the crafted run is skipped").hasSizeLessThanOrEqualTo(1);
        for (String warning : warnings) {
            assertThat(warning).startsWith("skipping run '" + crafted + "': ");
            assertThat(warning.chars()).as("a printable warning: %s", warning).noneMatch(Character::isISOControl);
        }
        PageSafety.assertSafe(Files.readString(page));
        assertCsvTextCellsAreText(ReportWriter.csvBeside(page));
    }

    private static void assertCsvTextCellsAreText(Path csv) throws IOException {
        List<List<String>> rows = new ArrayList<>();
        try (MappingIterator<List<String>> cells = new CsvMapper()
                .readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY)
                .readValues(csv.toFile())) {
            cells.forEachRemaining(rows::add);
        }
        List<String> header = rows.get(0);
        for (List<String> row : rows.subList(1, rows.size())) {
            for (String column : List.of(
                    "runId",
                    "suite",
                    "dataset",
                    "architecture",
                    "quantizer",
                    "layerPolicy",
                    "recipe",
                    "estimator",
                    "activations")) {
                String cell = row.get(header.indexOf(column));
                int first = 0;
                while (first < cell.length()
                        && (Character.isWhitespace(cell.charAt(first)) || Character.isSpaceChar(cell.charAt(first)))
                        && CSV_FORMULA_STARTS.indexOf(cell.charAt(first)) < 0) {
                    first++;
                }
                assertThat(first == cell.length() || CSV_FORMULA_STARTS.indexOf(cell.charAt(first)) < 0)
                        .as("%s cell '%s' starts no formula", column, cell)
                        .isTrue();
            }
        }
    }

    private static int indexOf(byte[] bytes, byte value) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == value) {
                return i;
            }
        }
        return -1;
    }
}
