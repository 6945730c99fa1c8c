package dev.lowbit.harness.cli;

import dev.lowbit.harness.BadInputException;
import dev.lowbit.reports.ReportException;
import dev.lowbit.reports.ReportWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code lowbit report RESULTS_DIR [-o FILE]}. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = "Render the HTML report of every finished run under RESULTS_DIR.")
public final class ReportCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "RESULTS_DIR", description = "A results folder, e.g. results/quick.")
    Path results;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE",
            description = "Where to write the report (default: RESULTS_DIR/report/index.html).")
    Path output;

    @Override
    public Integer call() {
        if (!Files.isDirectory(results)) {
            throw new BadInputException("No results folder '" + results + "'. Run 'lowbit run --suite quick' first"
                    + " or give the --out folder of an earlier run.");
        }
        Path target = output != null ? output : results.resolve("report").resolve("index.html");
        Path written = ReportCommand.render(results, target);
        spec.commandLine().getOut().println("Report: " + written.toAbsolutePath());
        return 0;
    }

    /** Renders the report, turning the report module's refusals into bad input. */
    static Path render(Path results, Path target) {
        try {
            return new ReportWriter().write(results, target);
        } catch (ReportException e) {
            throw new BadInputException(e.getMessage(), e);
        }
    }
}
