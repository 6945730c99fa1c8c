package dev.lowbit.reports;

import com.github.mustachejava.DefaultMustacheFactory;
import com.github.mustachejava.Mustache;
import com.github.mustachejava.util.HtmlEscaper;
import dev.lowbit.format.result.StoreLayout;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Renders the stored results as one self-contained HTML page: inline CSS, an inline SVG chart and
 * the raw results as embedded JSON, so it opens from disk with no network.
 */
public final class ReportWriter {

    private static final String TEMPLATE = "report.mustache";

    private final ReportOptions options;

    /** A writer judging with {@link ReportOptions#DEFAULTS}. */
    public ReportWriter() {
        this(ReportOptions.DEFAULTS);
    }

    /**
     * A writer with its own thresholds.
     *
     * @param options the parity tolerance, the intervals' confidence and the seeds a verdict needs
     */
    public ReportWriter(ReportOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /**
     * Reads every run under {@code resultsDir} and writes the report to {@code outputHtml}, creating its
     * folder, and the runs table as CSV beside it ({@code index.html} -> {@code index.csv}), warning on
     * stderr about each run it skips.
     *
     * @see #write(Path, Path, Consumer)
     */
    public Path write(Path resultsDir, Path outputHtml) {
        return write(resultsDir, outputHtml, message -> System.err.println("warning: " + message));
    }

    /**
     * Reads every run under {@code resultsDir} and writes the report to {@code outputHtml}, creating its
     * folder, and the runs table as CSV beside it ({@code index.html} -> {@code index.csv}). Both are
     * written to temporary files first and each is then renamed into place, so a browser never sees
     * half a page and a failure leaves nothing behind.
     *
     * @param warnings receives one line per run left out (unreadable, out of range, beyond the limits)
     * @return {@code outputHtml}
     * @throws ReportException if {@code resultsDir} does not exist or holds no run, finished or not, or
     *     the report cannot be written to {@code outputHtml} (a directory, under a file, not writable)
     */
    public Path write(Path resultsDir, Path outputHtml, Consumer<String> warnings) {
        // The page first: a root path such as "/" has no file name to put a CSV beside.
        requireWritableFile(
                outputHtml,
                "the report",
                "Give a file name, e.g. -o "
                        + outputHtml.toAbsolutePath().normalize().resolve(StoreLayout.REPORT_PAGE));
        Path csv = csvBeside(outputHtml);
        requireWritableFile(csv, "the CSV beside the report", "Remove it or give -o another file name");
        StoredResults results = StoredResults.read(resultsDir, warnings);
        if (results.runs().isEmpty() && results.inProgress().isEmpty()) {
            throw new ReportException("No runs under '" + resultsDir + "'. Run 'lowbit run --suite quick' first.");
        }
        Study study = new Study(results.runs(), options);
        // Cleaned like the page: a lone surrogate half from a run id has no UTF-8 form and would fail the write.
        String csvText = Page.withValidCharacters(ResultsCsv.of(results.runs(), study.twins()));
        String html = render(results, study, csv.getFileName().toString());
        writeBoth(csv, csvText, outputHtml, html);
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
        return render(results, new Study(results.runs(), options), null);
    }

    private String render(StoredResults results, Study study, String csvFile) {
        List<StoredRun> runs = results.runs();
        String generatedAt = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        List<ChartView> charts = StudyCharts.of(study);

        Map<String, Object> data = new LinkedHashMap<>();
        data.put("resultsDir", results.directory().toString());
        data.put("generatedAt", generatedAt);
        data.put("parityTolerance", options.parityTolerance());
        data.put("confidence", options.confidence());
        data.put("minSeeds", options.minSeeds());
        data.put("runs", runs);

        List<ProvenanceRow> pluginJars = ProvenanceRow.pluginJars(runs);
        List<InProgressRow> inProgress = results.inProgressRows();
        List<String> anchors = RunAnchors.of(runs);
        List<ReportRow> rows = new ArrayList<>();
        List<RunDetail> details = new ArrayList<>();
        for (int i = 0; i < runs.size(); i++) {
            rows.add(ReportRow.of(runs.get(i), study.twins(), anchors.get(i)));
            details.add(RunDetail.of(runs.get(i), study.twins(), anchors.get(i), i));
        }
        ReportView view = new ReportView(
                "lowbit report",
                results.directory().toString(),
                generatedAt,
                runs.size(),
                study.groups().size(),
                String.format(Locale.ROOT, "%.2f", options.tolerancePoints()),
                options.confidenceLabel(),
                Findings.method(options),
                Findings.judge(study),
                Findings.leftOut(study),
                study.groups().stream().map(group -> GroupRow.of(group, study)).toList(),
                charts,
                StudyCharts.missing(charts),
                rows,
                !inProgress.isEmpty(),
                inProgress,
                !results.skipped().isEmpty(),
                results.skipped(),
                details,
                ProvenanceRow.of(runs),
                !pluginJars.isEmpty(),
                pluginJars,
                Json.forScriptBlock(data),
                csvFile != null,
                csvFile == null ? "" : csvFile,
                csvFile == null ? "" : relativeHref(csvFile));
        StringWriter out = new StringWriter();
        Template.MUSTACHE.execute(out, view);
        return Page.withValidCharacters(out.toString());
    }

    /**
     * Refuses, before any work, an output path that cannot become a file: an existing directory, or a
     * path under a file. (Permissions and a full disk show when writing; see {@link #writeBoth}.)
     */
    /**
     * A link to a file beside the page. The name comes from the command line and may hold a {@code :}
     * (read as a URL scheme, {@code javascript:} among them), {@code #}, {@code ?} or spaces; such a
     * name is percent-encoded and anchored with {@code ./} so it can only ever be a relative path.
     */
    static String relativeHref(String fileName) {
        if (RunAnchors.SAFE.matcher(fileName).matches()) {
            return fileName;
        }
        try {
            return new URI(null, null, "./" + fileName, null).toASCIIString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException("A relative path is always a valid URI: " + fileName, e);
        }
    }

    private static void requireWritableFile(Path target, String what, String ifDirectory) {
        Path absolute = target.toAbsolutePath().normalize();
        if (Files.isDirectory(absolute)) {
            throw new ReportException(
                    "Cannot write " + what + " to '" + target + "': it is a directory. " + ifDirectory + ".");
        }
        for (Path parent = absolute.getParent(); parent != null; parent = parent.getParent()) {
            if (Files.exists(parent)) {
                if (!Files.isDirectory(parent)) {
                    throw new ReportException("Cannot write " + what + " to '" + target + "': '" + parent
                            + "' is a file, not a directory. Give -o a path in a directory, e.g. -o "
                            + Path.of(StoreLayout.REPORT_FOLDER, StoreLayout.REPORT_PAGE) + ".");
                }
                break;
            }
        }
    }

    /**
     * Writes both files beside their targets, then renames each into place; on any failure the
     * temporary files are removed, so nothing half-written is left behind.
     */
    private static void writeBoth(Path csv, String csvText, Path html, String htmlText) {
        Path csvTarget = csv.toAbsolutePath();
        Path htmlTarget = html.toAbsolutePath();
        Path folder = htmlTarget.getParent();
        Path csvTemp = null;
        Path htmlTemp = null;
        String step = "creating the folder '" + folder + "'";
        try {
            Files.createDirectories(folder);
            step = "writing a file in '" + folder + "'";
            csvTemp = temporaryBeside(csvTarget);
            Files.writeString(csvTemp, csvText, StandardCharsets.UTF_8);
            htmlTemp = temporaryBeside(htmlTarget);
            Files.writeString(htmlTemp, htmlText, StandardCharsets.UTF_8);
            step = "replacing '" + csvTarget + "'";
            moveIntoPlace(csvTemp, csvTarget);
            step = "replacing '" + htmlTarget + "'";
            moveIntoPlace(htmlTemp, htmlTarget);
        } catch (IOException e) {
            throw new ReportException("Cannot write the report to '" + html + "': " + step + " failed (" + reason(e)
                    + "). Give -o a file in a folder you can write to.");
        } finally {
            deleteQuietly(csvTemp);
            deleteQuietly(htmlTemp);
        }
    }

    /**
     * A name beside {@code target}, so the move is a rename on the same file system. Not through
     * createTempFile: its owner-only permissions would carry over and hide the report from others.
     */
    private static Path temporaryBeside(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    private static void moveIntoPlace(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path temp) {
        if (temp != null) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // the failure that got us here is the one to report
            }
        }
    }

    /** What went wrong, in words: Java names some file system errors by the path alone. */
    private static String reason(IOException e) {
        if (e instanceof FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof FileAlreadyExistsException) {
            return "a file is in the way";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "a directory is in the way";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
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
                    return new DefaultMustacheFactory() {
                        // Mustache writes a control character as a numeric reference (&#1;), which a parser
                        // turns back into the character; values are cleaned as the page is (see Page).
                        @Override
                        public void encode(String value, Writer writer) {
                            HtmlEscaper.escape(Page.withValidCharacters(value), writer);
                        }
                    }.compile(reader, TEMPLATE);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read the report template " + TEMPLATE, e);
            }
        }
    }
}
