package dev.lowbit.harness.cli;

import dev.lowbit.format.result.StoreLayout;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.reports.ReportException;
import dev.lowbit.reports.ReportOptions;
import dev.lowbit.reports.ReportWriter;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowbit report RESULTS_DIR [-o FILE]}. */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = "Render the HTML report (and a CSV beside it) of every run under RESULTS_DIR.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "A results folder, e.g. results/quick.")
    Path results;

    @Option(
            names = {"-o", "--output"},
            paramLabel = "FILE",
            description = "Where to write the report (default: RESULTS_DIR/report/index.html).")
    Path output;

    @Option(
            names = "--parity-tolerance",
            defaultValue = "1.0",
            paramLabel = "POINTS",
            description = "How many percentage points below its fp32 twin's best validation accuracy a run counts as at"
                    + " parity, and a low-bit model as comparable in the findings (default: ${DEFAULT-VALUE}).")
    double parityTolerancePoints;

    @Option(
            names = "--confidence",
            defaultValue = "0.95",
            paramLabel = "LEVEL",
            description = "Confidence level of every interval over seeds, in the tables, the charts and the findings'"
                    + " tests, from 0.5 to below 1 (default: ${DEFAULT-VALUE}).")
    double confidence;

    @Option(
            names = "--min-seeds",
            defaultValue = "3",
            paramLabel = "N",
            description = "Fewest seeds a finding is judged on; below it the finding says 'not enough seeds', never"
                    + " confirmed or refuted. At least 2 (default: ${DEFAULT-VALUE}).")
    int minSeeds;

    @Override
    public Integer call() {
        if (!(parityTolerancePoints >= 0) || Double.isInfinite(parityTolerancePoints)) {
            throw new BadInputException("--parity-tolerance must be a number of percentage points >= 0, got "
                    + parityTolerancePoints + ". Use e.g. --parity-tolerance 0.5.");
        }
        if (!(confidence >= 0.5 && confidence < 1)) {
            throw new BadInputException("--confidence must be a level from 0.5 to below 1, got " + confidence
                    + ". Use e.g. --confidence 0.95 (a 95% interval).");
        }
        if (minSeeds < 2) {
            throw new BadInputException("--min-seeds must be at least 2 (an interval needs two seeds), got " + minSeeds
                    + ". Use e.g. --min-seeds 3.");
        }
        if (!Files.isDirectory(results)) {
            throw new BadInputException("No results folder '" + results + "'. Run 'lowbit run --suite quick' first"
                    + " or give the --out folder of an earlier run.");
        }
        Path target = output != null ? output : defaultTarget(results);
        ReportOptions options = new ReportOptions(parityTolerancePoints / 100, confidence, minSeeds);
        Path written = ReportCommand.render(
                results, target, options, spec.commandLine().getErr());
        spec.commandLine().getOut().println("Report: " + written.toAbsolutePath());
        return 0;
    }

    /**
     * Where the report goes when no {@code -o} is given: {@code RESULTS_DIR/report/index.html}. The
     * results folder may be someone else's, and a {@code report} in it that is a symbolic link would
     * send the page and the CSV wherever it points (a file named index.html or index.csv there would be
     * replaced), so such a link is refused. (A link at index.html itself is replaced, not followed.)
     */
    static Path defaultTarget(Path results) {
        Path folder = results.resolve(StoreLayout.REPORT_FOLDER);
        if (Files.isSymbolicLink(folder)) {
            throw new BadInputException("'" + folder + "' is a symbolic link; lowbit writes the report into the"
                    + " results folder only when 'report' there is a real folder. Remove the link, or give -o FILE.");
        }
        return folder.resolve(StoreLayout.REPORT_PAGE);
    }

    /**
     * Renders the report, turning the report module's refusals into bad input. {@code lowbit report} and
     * {@code lowbit run} both render through here, so both get the same checks of the results folder.
     *
     * @param err receives one warning line per run left out of the report
     */
    static Path render(Path results, Path target, PrintWriter err) {
        return render(results, target, ReportOptions.DEFAULTS, err);
    }

    /** Renders the report judging with {@code options}. */
    static Path render(Path results, Path target, ReportOptions options, PrintWriter err) {
        try {
            return new ReportWriter(options).write(results, target, message -> {
                err.println("warning: " + message);
                err.flush();
            });
        } catch (ReportException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }
}
