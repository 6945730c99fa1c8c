package dev.lowbit.harness.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.lowbit.format.result.StoreJson;
import java.io.PrintWriter;
import java.util.List;

/**
 * {@code --format table|json} of list, plan and run. JSON goes to standard output alone, one document per
 * command (its {@code schema} field names it, docs/JSON.md describes it); logs and progress stay on the
 * error stream, so {@code lowbit list --format json | jq} always reads a whole document.
 */
final class OutputFormat {

    static final String TABLE = "table";
    static final String JSON = "json";
    static final List<String> TABLE_OR_JSON = List.of(TABLE, JSON);

    /** The results folder's settings (a NaN is written as the string "NaN", which every JSON parser reads). */
    private static final ObjectWriter WRITER = StoreJson.mapper().writer();

    private OutputFormat() {}

    /** {@code document} as indented JSON and a newline. */
    static String json(Object document) {
        try {
            return WRITER.writeValueAsString(document) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(
                    "Cannot write " + document.getClass().getSimpleName() + " as JSON", e);
        }
    }

    static void print(Object document, PrintWriter out) {
        out.print(json(document));
        out.flush();
    }
}
