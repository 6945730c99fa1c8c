package dev.lowbit.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvGenerator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import dev.lowbit.format.result.ActivationRecord;
import dev.lowbit.format.result.MemoryRecord;
import dev.lowbit.format.result.RunRecord;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The runs table as CSV, one row per stored run with raw numbers (no formatting), for spreadsheets
 * and scripts; written beside the HTML report.
 *
 * <p>Its text comes from results folders that may be someone else's, and a spreadsheet evaluates a
 * cell that starts like a formula ({@code =HYPERLINK(...)}, {@code =cmd|' /C calc'!A0}). Text cells
 * are therefore neutralised as OWASP's "CSV Injection" page advises: every text cell is quoted (so a
 * separator or quote inside it cannot start a new cell, whatever separator the spreadsheet assumes),
 * and one that starts with {@code =}, {@code +}, {@code -}, {@code @}, a tab or a carriage return
 * (after any leading white space; see {@link #FORMULA_STARTS}) gets a leading {@code '}, which spreadsheets
 * read as "this is text".
 * Numeric columns are written as numbers and stay numbers, negative ones included.
 */
final class ResultsCsv {

    /**
     * One CSV row; the column order is the record's. Empty cells are values the run does not have.
     * Columns added after the first release go at the end, so scripts that read columns by position
     * keep working: the gradient estimator, the activation spec ({@code none} for fp32 inputs) and
     * the activation bits (32 for fp32 inputs).
     */
    record Row(
            String runId,
            String suite,
            String dataset,
            String architecture,
            String quantizer,
            String layerPolicy,
            String recipe,
            long seed,
            int levels,
            double bitsPerWeight,
            String status,
            int epochsCompleted,
            Double bestValidationAccuracy,
            Double testAccuracy,
            Double deltaVsFp32Points,
            String epochsToParity,
            Double fp32Bytes,
            Double idealBytes,
            Long packedBytes,
            String estimator,
            String activations,
            Double activationBits) {}

    // CsvMapper sorts columns by name unless told not to; the record's order reads better.
    private static final CsvMapper CSV = CsvMapper.builder()
            .disable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
            .build();
    private static final ObjectWriter WRITER = CSV.writer(
                    CSV.schemaFor(Row.class).withHeader().withColumnReordering(false))
            .with(CsvGenerator.Feature.ALWAYS_QUOTE_STRINGS);

    /**
     * First characters that make a spreadsheet read a cell as a formula: OWASP's list (= + - @ tab
     * carriage return), the line feed and NUL that OWASP ASVS 1.2.10 adds, and the full-width forms of
     * = + - @ that some spreadsheets take for the ASCII ones.
     */
    private static final String FORMULA_STARTS = "=+-@\t\r\n\0\uFF1D\uFF0B\uFF0D\uFF20";

    private ResultsCsv() {}

    /** The CSV text of {@code runs}, compared with their twins by {@code twins}. */
    static String of(List<StoredRun> runs, TwinComparison twins) {
        List<Row> rows = runs.stream().map(run -> row(run, twins)).toList();
        try {
            return WRITER.writeValueAsString(rows);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("Cannot write the results as CSV", e);
        }
    }

    private static Row row(StoredRun stored, TwinComparison twins) {
        RunRecord run = stored.run();
        MemoryRecord memory = run.memory();
        ActivationRecord activations = run.quantizer().activations();
        return new Row(
                text(run.runId()),
                text(run.config().suite()),
                text(run.config().dataset()),
                text(run.config().architecture()),
                text(run.config().quantizer()),
                text(run.config().layerPolicy()),
                run.config().recipe() == null
                        ? null
                        : text(run.config().recipe().name()),
                run.config().seed(),
                run.quantizer().levels(),
                run.quantizer().bitsPerWeight(),
                run.status().name(),
                run.epochsCompleted(),
                finite(run.bestValidationAccuracy()),
                finite(run.testAccuracy()),
                twins.deltaPoints(stored).isPresent()
                        ? twins.deltaPoints(stored).getAsDouble()
                        : null,
                text(twins.parityLabel(stored)),
                memory == null ? null : memory.fp32Bytes(),
                memory == null ? null : memory.idealBytes(),
                memory == null ? null : memory.packedBytes(),
                text(run.quantizer().estimator()),
                text(activations.spec()),
                finite(activations.bits()));
    }

    /**
     * A text cell a spreadsheet reads as text: one that would start a formula, also after leading
     * white space (which some spreadsheets trim), gets a leading {@code '}. Jackson quotes the cell and
     * doubles any {@code "} in it.
     */
    static String text(String value) {
        if (value == null) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (FORMULA_STARTS.indexOf(c) >= 0) {
                return "'" + value;
            }
            if (!Character.isWhitespace(c) && !Character.isSpaceChar(c)) {
                break;
            }
        }
        return value;
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
