package dev.lowbit.harness.cli;

import ai.djl.Device;
import dev.lowbit.format.result.RunConfig;
import dev.lowbit.harness.BadInputException;
import dev.lowbit.harness.data.Datasets;
import dev.lowbit.harness.plan.GridRunner;
import dev.lowbit.harness.plan.Plan;
import dev.lowbit.harness.plan.Shard;
import dev.lowbit.harness.plan.Suite;
import dev.lowbit.harness.plan.SuiteLoader;
import dev.lowbit.harness.plugin.PluginHost;
import dev.lowbit.harness.plugin.Plugins;
import dev.lowbit.harness.scheme.Schemes;
import dev.lowbit.harness.store.ResultStore;
import dev.lowbit.harness.train.ConsoleProgress;
import dev.lowbit.harness.train.EngineSettings;
import dev.lowbit.harness.train.EngineThreads;
import dev.lowbit.harness.train.Provenance;
import jakarta.inject.Inject;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowbit run}: trains a suite's grid, skipping finished runs, then writes the report. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = "Train every run of a suite that is not finished yet, store it, and write the report.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    SuiteOptions suiteOptions;

    @Mixin
    PluginOptions pluginOptions;

    @Mixin
    DeviceOption deviceOption;

    @Option(
            names = "--out",
            defaultValue = "results",
            paramLabel = "DIR",
            description = "Results root; runs go to DIR/<suite>/<run-id>/ (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Folder holding the dataset (IDX files for Fashion-MNIST, the binary version of CIFAR-10).")
    Path data;

    @Option(
            names = "--threads",
            paramLabel = "N",
            description = "Engine threads (default: what this process may use: the cgroup CPU quota and CPU"
                    + " affinity, capped OMP_NUM_THREADS or SLURM_CPUS_PER_TASK when set, else the cores).")
    Integer threads;

    @Option(
            names = "--workers",
            defaultValue = "auto",
            paramLabel = "N|auto",
            description = "Train N runs at once, each in a process of its own, the engine threads split between them"
                    + " (default: ${DEFAULT-VALUE}: one per engine thread, at most one per run still to train and per"
                    + " 3 GiB of memory; 1 trains in this process).")
    String workers;

    @Option(
            names = "--format",
            defaultValue = "table",
            paramLabel = "FORMAT",
            description = "How the summary at the end is printed: table (lines) or json (schema lowbit.run/1,"
                    + " docs/JSON.md: the only thing on standard output; default: ${DEFAULT-VALUE}).")
    String format;

    @Option(
            names = "--worker",
            hidden = true,
            paramLabel = "I/N",
            description = "Train as worker I of N of a 'lowbit run --workers N': no first line, summary or report.")
    String worker;

    @Option(
            names = "--worker-summary",
            hidden = true,
            paramLabel = "FILE",
            description = "Where a worker writes what became of each run, for the 'lowbit run' that started it.")
    Path workerSummary;

    private final PluginHost pluginHost;

    @Inject
    RunCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    /**
     * Where a grid's runs and report go, and how its summary is printed.
     *
     * @param json whether the summary is the JSON document {@link RunDocument}, and standard output holds
     *     nothing else
     */
    record Target(ResultStore store, Path suiteDirectory, Path report, boolean json) {}

    @Override
    public Integer call() {
        BadInputException.requireOneOf("--format", format, OutputFormat.TABLE_OR_JSON);
        if (worker == null) {
            return train(null);
        }
        WorkerReport report = WorkerReport.start(worker, workerSummary);
        try {
            return train(report);
        } catch (BadInputException e) {
            // Every worker reads the same input: the coordinator says it once, for all of them.
            report.badInput(e.getMessage());
            return Main.BAD_INPUT;
        }
    }

    /** Trains the grid in this process, or in workers ({@link RunWorkers}); {@code asWorker} is set in a worker. */
    private int train(WorkerReport asWorker) {
        EngineThreads budget = EngineSettings.apply(threads);
        Device device = deviceOption.open();
        Integer requestedWorkers = WorkerPlan.parse(workers);

        Shard selected = suiteOptions.shard();
        Plugins plugins =
                pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        Schemes schemes = Schemes.of(plugins);
        Suite suite = suiteOptions.load(new SuiteLoader(plugins.architectures(), schemes));
        List<RunConfig> fullPlan = Plan.of(suite, schemes);
        List<RunConfig> plan = selected.select(fullPlan);
        GridRunner grid = new GridRunner(schemes, plugins.architectures(), device);
        // Before the results folder is made: a plan this lowbit cannot train leaves nothing behind.
        grid.validate(plan);
        boolean json = format.equals(OutputFormat.JSON);
        // With --format json standard output holds the summary document alone; the lines before it are log.
        PrintWriter out =
                json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        ResultStore store = new ResultStore(this.out);
        // Before any data loads or any run trains: every run and the report are written there.
        OutputPaths.requireWritableFolder("--out", this.out, store.suiteDirectory(suite.name()));
        // The log's first line once the options are known good (bad options stay one line). Not "lowbit: ",
        // which marks a problem. A worker of --workers says nothing here: the command that started it said the
        // budget, its first stdout line the split, and each run's provenance the worker's own threads.
        if (asWorker == null) {
            spec.commandLine()
                    .getErr()
                    .println("engine: " + budget.describe() + "; OpenMP wait " + EngineSettings.waitPolicy());
            spec.commandLine().getErr().flush();
        }
        Target target = new Target(
                store,
                store.suiteDirectory(suite.name()),
                ReportCommand.defaultTarget(store.suiteDirectory(suite.name())),
                json);
        String firstLine = "Suite '" + suite.name() + "'"
                + (selected.isAll()
                        ? ": " + plan.size() + " runs"
                        : ", shard " + selected + ": " + plan.size() + " of " + fullPlan.size() + " runs")
                + " -> " + store.suiteDirectory(suite.name());
        if (asWorker == null) {
            List<RunConfig> pending = Integer.valueOf(1).equals(requestedWorkers) ? plan : grid.pending(plan, store);
            WorkerPlan split = WorkerPlan.choose(requestedWorkers, budget, pending.size(), WorkerPlan.physicalMemory());
            if (split.count() > 1) {
                out.println(firstLine + ", " + split.describe(budget));
                out.flush();
                return new RunWorkers(
                                spec.commandLine().getOut(), spec.commandLine().getErr())
                        .run(
                                spec.commandLine().getParseResult().originalArgs(),
                                split,
                                new RunWorkers.Grid(plan, pending, target, suite.parityTolerance()));
            }
            out.println(firstLine);
            out.flush();
        }

        GridRunner.Summary summary = grid.run(
                plan,
                store,
                () -> Datasets.load(suite.dataset(), data, System.getenv("LOWBIT_DATA")),
                loaded -> withWorker(
                        Provenance.collect(loaded, budget, device, suite.source(), suite.sha256(), plugins.jars()),
                        asWorker),
                ConsoleProgress.to(spec.commandLine().getErr()),
                spec.commandLine().getErr(),
                suite.parityTolerance(),
                asWorker == null ? GridRunner.Listener.NONE : asWorker);
        if (asWorker != null) {
            return summary.failed() > 0 ? Main.FAILED : 0; // the coordinator sums up and writes the report
        }
        return finish(spec.commandLine().getOut(), spec.commandLine().getErr(), target, summary);
    }

    /** A worker's runs record which worker of how many trained them, e.g. {@code worker} = {@code 1/2}. */
    private static Map<String, String> withWorker(Map<String, String> provenance, WorkerReport report) {
        if (report == null) {
            return provenance;
        }
        Map<String, String> recorded = new LinkedHashMap<>(provenance);
        recorded.put("worker", report.worker());
        return recorded;
    }

    /** The report and the summary line after a grid, in this process or after its workers; returns the exit code. */
    static int finish(PrintWriter out, PrintWriter err, Target target, GridRunner.Summary summary) {
        Path report;
        try {
            report = ReportCommand.render(target.suiteDirectory(), target.report(), err);
        } catch (BadInputException | UncheckedIOException e) {
            // A full disk, say: the runs are stored, only the page is missing; one line, not a stack trace.
            report = null;
            err.println("lowbit: " + e.getMessage().replaceAll("\\.$", "") + ". The runs are stored: 'lowbit report "
                    + target.suiteDirectory() + "' writes it once that is fixed.");
        }
        int exit = report == null ? Main.FAILED : summary.failed() > 0 ? 1 : 0;
        if (target.json()) {
            OutputFormat.print(RunDocument.of(target.suiteDirectory(), summary, report), out);
            return exit;
        }
        out.printf(
                "Trained %d, skipped %d finished, %d held by other workers, %d diverged, %d failed.%n",
                summary.trained(), summary.skipped(), summary.busy(), summary.diverged(), summary.failed());
        if (report != null) {
            out.println("Report: " + report.toAbsolutePath());
        }
        return exit;
    }
}
