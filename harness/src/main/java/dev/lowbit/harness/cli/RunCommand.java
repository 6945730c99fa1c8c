package dev.lowbit.harness.cli;

import dev.lowbit.api.result.RunConfig;
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
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code lowbit run}: trains a suite's grid, skipping finished runs, then writes the report. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Train every run of a suite that is not finished yet, store it, and write the report.")
public final class RunCommand implements Callable<Integer> {

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    SuiteOptions suiteOptions;

    @Mixin
    PluginOptions pluginOptions;

    @Option(names = "--out", defaultValue = "results", paramLabel = "DIR",
            description = "Results root; runs go to DIR/<suite>/<run-id>/ (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--data", paramLabel = "DIR",
            description = "Folder holding the dataset (IDX files for Fashion-MNIST, the binary version of CIFAR-10).")
    Path data;

    @Option(names = "--threads", paramLabel = "N",
            description = "Engine threads (default: what this process may use: the cgroup CPU quota and CPU"
                    + " affinity, capped OMP_NUM_THREADS or SLURM_CPUS_PER_TASK when set, else the cores).")
    Integer threads;

    private final PluginHost pluginHost;

    @Inject
    RunCommand(PluginHost pluginHost) {
        this.pluginHost = pluginHost;
    }

    @Override
    public Integer call() {
        EngineThreads engineThreads = EngineSettings.apply(threads);

        Shard selected = suiteOptions.shard();
        Plugins plugins = pluginOptions.openForUse(pluginHost, spec.commandLine().getErr());
        Schemes schemes = Schemes.of(plugins);
        Suite suite = suiteOptions.load(new SuiteLoader(plugins.architectures(), schemes));
        List<RunConfig> fullPlan = Plan.of(suite, schemes);
        List<RunConfig> plan = selected.select(fullPlan);
        GridRunner grid = new GridRunner(schemes, plugins.architectures());
        // Before the results folder is made: a plan this lowbit cannot train leaves nothing behind.
        grid.validate(plan);
        PrintWriter out = spec.commandLine().getOut();
        ResultStore store = new ResultStore(this.out);
        // Before any data loads or any run trains: every run and the report are written there.
        OutputPaths.requireWritableFolder("--out", this.out, store.suiteDirectory(suite.name()));
        Path reportTarget = ReportCommand.defaultTarget(store.suiteDirectory(suite.name()));
        // The log's first line once the options are known good (bad options stay one line). Not "lowbit: ",
        // which marks a problem.
        spec.commandLine().getErr().println("engine: " + engineThreads.describe() + "; OpenMP wait "
                + EngineSettings.waitPolicy());
        spec.commandLine().getErr().flush();
        out.println("Suite '" + suite.name() + "'" + (selected.isAll() ? ": " + plan.size() + " runs"
                : ", shard " + selected + ": " + plan.size() + " of " + fullPlan.size() + " runs")
                + " -> " + store.suiteDirectory(suite.name()));
        out.flush();

        GridRunner.Summary summary = grid.run(plan, store,
                () -> Datasets.load(suite.dataset(), data, System.getenv("LOWBIT_DATA")),
                loaded -> Provenance.collect(loaded, engineThreads, suite.source(), suite.sha256(), plugins.jars()),
                ConsoleProgress.to(spec.commandLine().getErr()), spec.commandLine().getErr(), suite.parityTolerance());

        Path report;
        try {
            report = ReportCommand.render(store.suiteDirectory(suite.name()), reportTarget, spec.commandLine().getErr());
        } catch (BadInputException | UncheckedIOException e) {
            // A full disk, say: the runs are stored, only the page is missing; one line, not a stack trace.
            report = null;
            spec.commandLine().getErr().println("lowbit: " + e.getMessage().replaceAll("\\.$", "") + ". The runs are stored: 'lowbit report "
                    + store.suiteDirectory(suite.name()) + "' writes it once that is fixed.");
        }
        out.printf("Trained %d, skipped %d finished, %d held by other workers, %d diverged, %d failed.%n",
                summary.trained(), summary.skipped(), summary.busy(), summary.diverged(), summary.failed());
        if (report == null) {
            return Main.FAILED;
        }
        out.println("Report: " + report.toAbsolutePath());
        return summary.failed() > 0 ? 1 : 0;
    }
}
