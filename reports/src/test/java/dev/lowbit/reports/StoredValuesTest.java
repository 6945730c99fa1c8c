package dev.lowbit.reports;

import static dev.lowbit.reports.ResultsFixture.BINARY_ID;
import static dev.lowbit.reports.ResultsFixture.FP32_ID;
import static dev.lowbit.reports.ResultsFixture.TERNARY_ID;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A number no run can hold (an infinity, 1e308, an accuracy of 7, negative bits) skips its run with a
 * warning naming the file, the field, the value and what is allowed; the rest of the study is read.
 * NaN, which lowbit itself writes for runs that did not finish, is still read.
 */
class StoredValuesTest {

    @TempDir
    Path results;

    private final List<String> warnings = new ArrayList<>();

    private Path runFile(String runId) {
        return results.resolve("quick").resolve(runId).resolve("run.json");
    }

    /** Sets the field at {@code path} (dot-separated) of {@code file}'s JSON to the raw JSON {@code value}. */
    private static void setField(Path file, String path, String value) throws IOException {
        JsonNode root = Json.MAPPER.readTree(file.toFile());
        String[] parts = path.split("\\.");
        JsonNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            node = node.get(parts[i]);
        }
        ((ObjectNode) node).set(parts[parts.length - 1], Json.MAPPER.readTree(value));
        Files.writeString(file, Json.MAPPER.writeValueAsString(root));
    }

    private List<String> readIds() {
        return StoredResults.read(results, warnings::add).runs().stream()
                .map(r -> r.run().runId())
                .toList();
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "testAccuracy                 | Infinity  | a fraction from 0 to 1, or NaN when there is none",
                "testAccuracy                 | 7         | a fraction from 0 to 1, or NaN when there is none",
                "bestValidationAccuracy       | -0.5      | a fraction from 0 to 1, or NaN when there is none",
                "testLoss                     | -1        | a number >= 0, or NaN when there is none",
                "quantizer.bitsPerWeight      | Infinity  | a number of bits above 0 and at most 64, or NaN when unknown",
                "quantizer.bitsPerWeight      | -1        | a number of bits above 0 and at most 64, or NaN when unknown",
                "quantizer.bitsPerWeight      | 65        | a number of bits above 0 and at most 64, or NaN when unknown",
                "quantizer.levels             | -3        | a whole number from 0 to 65536",
                "epochsCompleted              | 2000000000 | a whole number from 0 to 1000",
                "memory.fp32Bytes             | 1e308     | a byte count from 0 to 2^50",
                "memory.idealBytes            | -Infinity | a byte count from 0 to 2^50",
                "memory.parameters            | -1        | a count from 0 to 2^50",
                "config.validationShare       | NaN       | a fraction from 0 to 1",
                "config.recipe.learningRate   | Infinity  | a finite number > 0",
                "quantizer.activations.bits   | 0         | a number of bits above 0 and at most 32, or NaN when unknown",
                "quantizer.activations.bits   | 33        | a number of bits above 0 and at most 32, or NaN when unknown",
                "quantizer.activations.bits   | -8        | a number of bits above 0 and at most 32, or NaN when unknown",
                "quantizer.activations.bits   | Infinity  | a number of bits above 0 and at most 32, or NaN when unknown",
            })
    void anAbsurdNumberInRunJsonSkipsTheRunNamingTheFieldAndTheValue(String field, String value, String allowed)
            throws IOException {
        ResultsFixture.writeStandardStudy(results);
        setField(runFile(TERNARY_ID), field, value);

        assertThat(readIds()).containsExactly(FP32_ID, BINARY_ID);
        assertThat(warnings)
                .singleElement()
                .asString()
                .startsWith("skipping run '" + runFile(TERNARY_ID).getParent() + "': run.json: '" + field + "' is ")
                .contains("; allowed: " + allowed + ". The file is damaged or was edited");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "validationAccuracy | Infinity",
                "validationAccuracy | 1.5",
                "trainAccuracy      | -Infinity",
                "flipRatio          | 1e308",
                "beyondOutermostShare | 2",
                "epoch              | 2000000000",
                "seconds            | Infinity",
                "lossSpikes         | -1",
                "levelOccupancy     | {\"w\": [1, -5]}",
                "levelOccupancy     | {\"w\": [1, null]}",
            })
    void anAbsurdNumberInAnEpochLineSkipsTheRunNamingTheLine(String field, String value) throws IOException {
        ResultsFixture.writeStandardStudy(results);
        Path epochs = runFile(BINARY_ID).resolveSibling("epochs.jsonl");
        List<String> lines = new ArrayList<>(Files.readAllLines(epochs));
        ObjectNode second = (ObjectNode) Json.MAPPER.readTree(lines.get(1));
        second.set(field, Json.MAPPER.readTree(value));
        lines.set(1, Json.MAPPER.writeValueAsString(second));
        Files.write(epochs, lines);

        assertThat(readIds()).containsExactly(FP32_ID, TERNARY_ID);
        assertThat(warnings)
                .singleElement()
                .asString()
                .startsWith("skipping run '" + epochs.getParent() + "': epochs.jsonl line 2: '" + field);
    }

    @Test
    void nanWhereLowbitWritesItIsStillRead() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        // A diverged run: no test accuracy or loss; a failed quantizer: unknown bits.
        setField(runFile(BINARY_ID), "status", "\"DIVERGED\"");
        setField(runFile(BINARY_ID), "divergedEpoch", "3");
        setField(runFile(BINARY_ID), "testAccuracy", "\"NaN\"");
        setField(runFile(BINARY_ID), "testLoss", "NaN");
        setField(runFile(TERNARY_ID), "status", "\"FAILED\"");
        setField(runFile(TERNARY_ID), "quantizer.bitsPerWeight", "\"NaN\"");

        assertThat(readIds()).containsExactlyInAnyOrder(FP32_ID, TERNARY_ID, BINARY_ID);
        assertThat(warnings).isEmpty();
    }

    @Test
    void aRunWithoutARecipeIsSkippedNotAFailureOfTheReport() throws IOException {
        ResultsFixture.writeStandardStudy(results);
        setField(runFile(TERNARY_ID), "config.recipe", "null");

        assertThat(readIds()).containsExactly(FP32_ID, BINARY_ID);
        assertThat(warnings).singleElement().asString().endsWith("run.json has no 'config.recipe'");
    }
}
