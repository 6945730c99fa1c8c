package dev.lowbit.reports;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import dev.lowbit.api.result.MemoryRecord;
import dev.lowbit.api.result.RunRecord;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * The runs table as CSV, one row per stored run with raw numbers (no formatting), for spreadsheets
 * and scripts; written beside the HTML report.
 */
final class ResultsCsv {

    /** One CSV row; the column order is the record's. Empty cells are values the run does not have. */
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
            Long packedBytes) {}

    // CsvMapper sorts columns by name unless told not to; the record's order reads better.
    private static final CsvMapper CSV = CsvMapper.builder()
            .disable(com.fasterxml.jackson.databind.MapperFeature.SORT_PROPERTIES_ALPHABETICALLY).build();
    private static final ObjectWriter WRITER = CSV.writer(CSV.schemaFor(Row.class).withHeader()
            .withColumnReordering(false));

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
        return new Row(run.runId(), run.config().suite(), run.config().dataset(), run.config().architecture(),
                run.config().quantizer(), run.config().layerPolicy(),
                run.config().recipe() == null ? null : run.config().recipe().name(), run.config().seed(),
                run.quantizer().levels(), run.quantizer().bitsPerWeight(), run.status().name(), run.epochsCompleted(),
                finite(run.bestValidationAccuracy()), finite(run.testAccuracy()),
                twins.deltaPoints(stored).isPresent() ? twins.deltaPoints(stored).getAsDouble() : null,
                twins.parityLabel(stored),
                memory == null ? null : memory.fp32Bytes(), memory == null ? null : memory.idealBytes(),
                memory == null ? null : memory.packedBytes());
    }

    private static Double finite(double value) {
        return Double.isFinite(value) ? value : null;
    }
}
