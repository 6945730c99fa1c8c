package dev.lowbit.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Renders the stored results as one self-contained HTML page: inline CSS, an inline SVG chart and
 * the raw results as embedded JSON, so it opens from disk with no network.
 */
public final class ReportWriter {

    /** Default parity tolerance: within one percentage point of the fp32 twin's best validation accuracy. */
    public static final double DEFAULT_PARITY_TOLERANCE = 0.01;

    private static final String TEMPLATE = "report.mustache";

    private final double parityTolerance;

    /** A writer using {@link #DEFAULT_PARITY_TOLERANCE}. */
    public ReportWriter() {
        this(DEFAULT_PARITY_TOLERANCE);
    }

    /**
     * A writer with its own parity tolerance.
     *
     * @param parityTolerance how far below the fp32 twin's best validation accuracy still counts as
     *     parity, as a fraction (0.01 = one percentage point); finite and {@code >= 0}
     */
    public ReportWriter(double parityTolerance) {
        if (!(parityTolerance >= 0) || Double.isInfinite(parityTolerance)) {
            throw new IllegalArgumentException("parity tolerance must be a finite number >= 0, got " + parityTolerance);
        }
        this.parityTolerance = parityTolerance;
    }

    /**
     * Reads every run under {@code resultsDir} and writes the report to {@code outputHtml}, creating its
     * folder, and the runs table as CSV beside it ({@code index.html} -> {@code index.csv}). Each file
     * is replaced in one step, so a browser never sees half a page.
     *
     * @return {@code outputHtml}
     * @throws ReportException if {@code resultsDir} does not exist or holds no run, finished or not
     * @throws UncheckedIOException if the report cannot be written
     */
    public Path write(Path resultsDir, Path outputHtml) {
        StoredResults results = StoredResults.read(resultsDir);
        if (results.runs().isEmpty() && results.inProgress().isEmpty()) {
            throw new ReportException(
                    "No runs under '" + resultsDir + "'. Run 'lowbit run --suite quick' first.");
        }
        Path csv = csvBeside(outputHtml);
        Study study = new Study(results.runs(), parityTolerance);
        writeReplacing(csv, ResultsCsv.of(results.runs(), study.twins()));
        writeReplacing(outputHtml, render(results, study, csv.getFileName().toString()));
        return outputHtml;
    }

    /** The CSV file written beside a report: the same name with {@code .csv} instead of {@code .html}. */
    public static Path csvBeside(Path outputHtml) {
        String name = outputHtml.getFileName().toString();
        String base = name.endsWith(".html") ? name.substring(0, name.length() - 5) : name;
        return outputHtml.resolveSibling(base + ".csv");
    }

    /** The report page for already-read results, as HTML text, without a CSV link. */
    public String render(StoredResults results) {
        return render(results, new Study(results.runs(), parityTolerance), null);
    }

    private String render(StoredResults results, Study study, String csvFile) {
        List<StoredRun> runs = results.runs();
        String generatedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ChartView> charts = StudyCharts.of(study);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("resultsDir", results.directory().toString());
        data.put("generatedAt", generatedAt);
        data.put("parityTolerance", parityTolerance);
        data.put("runs", runs);

        List<ProvenanceRow> pluginJars = ProvenanceRow.pluginJars(runs);
        List<InProgressRow> inProgress = results.inProgress().stream().map(results::inProgressRow).toList();
        ReportView view = new ReportView(
                "lowbit report",
                results.directory().toString(),
                generatedAt,
                runs.size(),
                study.groups().size(),
                String.format(Locale.ROOT, "%.2f", 100 * parityTolerance),
                Findings.judge(study),
                study.groups().stream().map(group -> GroupRow.of(group, study)).toList(),
                charts,
                StudyCharts.missing(charts),
                runs.stream().map(run -> ReportRow.of(run, study.twins())).toList(),
                !inProgress.isEmpty(),
                inProgress,
                !results.skipped().isEmpty(),
                results.skipped(),
                runs.stream().map(run -> RunDetail.of(run, study.twins())).toList(),
                ProvenanceRow.of(runs),
                !pluginJars.isEmpty(),
                pluginJars,
                Json.forScriptBlock(data),
                csvFile != null,
                csvFile == null ? "" : csvFile);
        StringWriter out = new StringWriter();
        Template.MUSTACHE.execute(out, view);
        return out.toString();
    }

    private static void writeReplacing(Path target, String html) {
        Path absolute = target.toAbsolutePath();
        try {
            Files.createDirectories(absolute.getParent());
            // Written beside the target so the move is a rename on the same file system. Not through
            // createTempFile: its owner-only permissions would carry over and hide the report from others.
            Path temp = absolute.resolveSibling("." + absolute.getFileName() + "." + UUID.randomUUID() + ".tmp");
            try {
                Files.writeString(temp, html, StandardCharsets.UTF_8);
                try {
                    Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the report to '" + target + "': " + e.getMessage(), e);
        }
    }

    /** The compiled page template, loaded once on first use. */
    private static final class Template {
        // Read through this class rather than the factory's resolver, which uses the thread's context
        // class loader and would miss the template when lowbit itself is loaded as a plugin or in a test.
        static final Mustache MUSTACHE = compile();

        private static Mustache compile() {
            try (InputStream in = ReportWriter.class.getResourceAsStream(TEMPLATE)) {
                if (in == null) {
                    throw new IllegalStateException("Report template " + TEMPLATE + " is missing from the jar");
                }
                try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
                    return new DefaultMustacheFactory().compile(reader, TEMPLATE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the report template " + TEMPLATE, e);
            }
        }
    }
}
