package dev.lowbit.harness.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.bench.ReportBenchmark;
import dev.lowbit.harness.bench.ReportTarget;
import dev.lowbit.harness.bench.ReportTimings;
import dev.lowbit.harness.bench.RunReplicator;
import dev.lowbit.reports.ReportLimits;
import dev.lowbit.reports.StoredResults;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code lowbit bench report [RESULTS_DIR] [--runs N] [--repeats R] [--format table|json]}: how long
 * the HTML report takes over many runs, against the goal of {@link ReportTarget#GOAL}.
 */
@Command(
        name = "report",
        mixinStandardHelpOptions = true,
        description = {
            "Time the HTML report over many stored runs.",
            "Copies the finished runs under RESULTS_DIR into a temporary folder until there are --runs of them"
                    + " (each copy with its own seeds and run ids), writes the report once to warm up, then"
                    + " --repeats times timed, and deletes the folder.",
            "Passes when the median time is under the goal, 500 runs < 10 s, scaled linearly to --runs (fixed"
                    + " costs make a small --runs look worse than it is)."
        })
public final class BenchReportCommand implements Callable<Integer> {

    private static final List<String> FORMATS = List.of("table", "json");

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Parameters(
            index = "0",
            arity = "0..1",
            defaultValue = "results",
            paramLabel = "RESULTS_DIR",
            description = "Folder whose finished runs (every folder with a run.json, at any depth) are copied"
                    + " (default: ${DEFAULT-VALUE}).")
    Path results;

    @Option(
            names = "--runs",
            defaultValue = "500",
            paramLabel = "N",
            description =
                    "Runs each report is written over (default: ${DEFAULT-VALUE}, the count the goal is set for).")
    int runs;

    @Option(
            names = "--repeats",
            defaultValue = "5",
            paramLabel = "R",
            description =
                    "Timed reports after the warm-up; the median and the minimum are shown (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(
            names = "--format",
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "table or json (default: ${DEFAULT-VALUE}).")
    String format;

    @Override
    public Integer call() {
        if (runs < 1) {
            throw new BadInputException("--runs must be at least 1, got " + runs + ".");
        }
        if (runs > ReportLimits.MAX_RUNS) {
            throw new BadInputException("--runs must be at most " + ReportLimits.MAX_RUNS + ", the most runs a report"
                    + " shows, got " + runs + ".");
        }
        if (repeats < 1) {
            throw new BadInputException("--repeats must be at least 1, got " + repeats + ".");
        }
        BadInputException.requireOneOf("--format", format, FORMATS);
        if (!Files.isDirectory(results)) {
            throw new BadInputException("No results folder '" + results + "'. Run 'lowbit run --suite quick' first"
                    + " or give the --out folder of an earlier run.");
        }
        PrintWriter err = spec.commandLine().getErr();
        StoredResults stored = StoredResults.read(results, message -> err.println("warning: " + message));
        RunReplicator source = RunReplicator.of(results, stored);
        if (source.sourceRuns() == 0) {
            throw new BadInputException(
                    "No finished runs under '" + results + "' to copy. Run 'lowbit run --suite quick'"
                            + " first or give the --out folder of an earlier run.");
        }
        ReportTimings timings = new ReportBenchmark(source, line -> {
                    err.println(line);
                    err.flush();
                })
                .measure(runs, repeats);

        PrintWriter out = spec.commandLine().getOut();
        out.print(format.equals("json") ? json(timings) : table(timings));
        out.flush();
        return 0;
    }

    private String table(ReportTimings timings) {
        ReportTarget goal = ReportTarget.GOAL;
        double ratio = goal.ratio(timings.medianSeconds(), timings.runs());
        StringBuilder text = new StringBuilder();
        text.append(String.format(
                Locale.ROOT,
                "Report over %d runs (%d stored runs under %s, %d copies), %d timed after" + " 1 warm-up:%n",
                timings.runs(),
                timings.sourceRuns(),
                results,
                timings.copies(),
                timings.seconds().size()));
        text.append(String.format(
                Locale.ROOT,
                "  median  %8.3f s  = %.2f ms per run%n",
                timings.medianSeconds(),
                timings.medianMillisPerRun()));
        text.append(String.format(Locale.ROOT, "  min     %8.3f s%n", timings.minSeconds()));
        text.append(String.format(
                Locale.ROOT,
                "  each    %s s%n",
                timings.seconds().stream()
                        .map(s -> String.format(Locale.ROOT, "%.3f", s))
                        .collect(Collectors.joining(", "))));
        text.append(String.format(
                Locale.ROOT,
                "  warm-up %8.3f s  (not counted: the first report in this JVM)%n",
                timings.warmUpSeconds()));
        text.append(String.format(
                Locale.ROOT,
                "Target %s, scaled linearly to %d runs: %.3f s. Compared: median %.3f s" + " / %.3f s = %.2f -> %s%n",
                goal,
                timings.runs(),
                goal.budgetFor(timings.runs()),
                timings.medianSeconds(),
                goal.budgetFor(timings.runs()),
                ratio,
                ratio < 1 ? "pass" : "FAIL"));
        return text.toString();
    }

    private String json(ReportTimings timings) {
        ReportTarget goal = ReportTarget.GOAL;
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        root.put("benchmark", "report");
        root.put("resultsDir", results.toString());
        root.put("runs", timings.runs());
        root.put("sourceRuns", timings.sourceRuns());
        root.put("copies", timings.copies());
        root.put("warmUpSeconds", timings.warmUpSeconds());
        root.put("repeats", timings.seconds().size());
        timings.seconds().forEach(root.putArray("seconds")::add);
        root.put("medianSeconds", timings.medianSeconds());
        root.put("minSeconds", timings.minSeconds());
        root.put("medianMillisPerRun", timings.medianMillisPerRun());
        ObjectNode target = root.putObject("target");
        target.put("runs", goal.runs());
        target.put("seconds", goal.seconds());
        target.put(
                "compared",
                "ratio = medianSeconds / budgetSeconds, budgetSeconds = target seconds x runs / target runs;"
                        + " pass = ratio < 1");
        target.put("budgetSeconds", goal.budgetFor(timings.runs()));
        target.put("ratio", goal.ratio(timings.medianSeconds(), timings.runs()));
        target.put("pass", goal.ratio(timings.medianSeconds(), timings.runs()) < 1);
        root.put("cores", Runtime.getRuntime().availableProcessors());
        root.put("tempDir", timings.scratch().toString());
        try {
            return mapper.writeValueAsString(root) + System.lineSeparator();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write the timings as JSON: " + e.getMessage(), e);
        }
    }
}
