package dev.lowbit.reports;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
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
 * <p>In {@code mvn verify} the seed corpus under {@code ReportFuzzTestInputs/rendersOrRefuses} is
 * replayed; {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration} (README, "Threat model").
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
    void rendersOrRefuses(byte[] input) throws IOException {
        Path root = results();
        Path crafted = Files.createDirectories(root.resolve("results").resolve("crafted").resolve("run"));
        int nul = indexOf(input, (byte) 0);
        Files.write(crafted.resolve("run.json"), nul < 0 ? input : Arrays.copyOf(input, nul));
        Path epochs = crafted.resolve("epochs.jsonl");
        if (nul < 0) {
            Files.deleteIfExists(epochs);
        } else {
            Files.write(epochs, Arrays.copyOfRange(input, nul + 1, input.length));
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
        try (MappingIterator<List<String>> cells = new CsvMapper().readerForListOf(String.class)
                .with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(csv.toFile())) {
            cells.forEachRemaining(rows::add);
        }
        List<String> header = rows.get(0);
        for (List<String> row : rows.subList(1, rows.size())) {
            for (String column : List.of("runId", "suite", "dataset", "architecture", "quantizer", "layerPolicy",
                    "recipe")) {
                String cell = row.get(header.indexOf(column));
                int first = 0;
                while (first < cell.length() && (Character.isWhitespace(cell.charAt(first))
                        || Character.isSpaceChar(cell.charAt(first))) && CSV_FORMULA_STARTS.indexOf(cell.charAt(first)) < 0) {
                    first++;
                }
                assertThat(first == cell.length() || CSV_FORMULA_STARTS.indexOf(cell.charAt(first)) < 0)
                        .as("%s cell '%s' starts no formula", column, cell).isTrue();
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
